{{%AUTOESCAPE context="HTML"}}
{{! GET|POST /my/mailbox/new  -  create a mailbox for ALIAS_ID (ADDRESS): the }}
{{! password twice; PASSWORD_ERROR, PASSWORD2_ERROR (MESSAGE); MIN; CSRF_TOKEN. }}
<section class="panel">
  <p class="eyebrow"><a href="/my/mailbox">[[Mailboxes]]</a></p>
  <h1>[[A mailbox for {{ADDRESS}}]]</h1>
  <p class="lead">[[Mail to {{ADDRESS}} will also be kept here, encrypted so that only this password opens it.]]</p>
  <p class="notice" role="note">[[<strong>A lost password means lost mail.</strong> Nobody can recover it, not even the people who run this service: the only way back in is a reset, which destroys every message in the mailbox.]]</p>
  <form method="post" action="/my/mailbox">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <input type="hidden" name="alias" value="{{ALIAS_ID}}">
    <p>
      <label for="password">[[Mailbox password (at least {{MIN}} characters)]]</label><br>
      <input id="password" name="password" type="password" autocomplete="new-password" minlength="{{MIN}}" required>
      {{#PASSWORD_ERROR}}<br><strong class="field-error" id="password-error">{{MESSAGE}}</strong>{{/PASSWORD_ERROR}}
    </p>
    <p>
      <label for="password2">[[The same password again]]</label><br>
      <input id="password2" name="password2" type="password" autocomplete="new-password" minlength="{{MIN}}" required>
      {{#PASSWORD2_ERROR}}<br><strong class="field-error" id="password2-error">{{MESSAGE}}</strong>{{/PASSWORD2_ERROR}}
    </p>
    <p class="fine">[[A strong password is long rather than clever: four or five random words (“correct horse battery staple”) are easy to remember and very hard to guess. Do not use your Ubuntu One password, nor one you use anywhere else.]]</p>
    <button type="submit" class="button button-primary">[[Create the mailbox]]</button>
  </form>
</section>
