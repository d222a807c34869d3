{{%AUTOESCAPE context="HTML"}}
{{! GET /my/mailbox/:id...  -  a locked mailbox: ID, ADDRESS, PASSWORD_ERROR }}
{{! (MESSAGE); CSRF_TOKEN. }}
<section class="panel">
  <p class="eyebrow"><a href="/my/mailbox">[[Mailboxes]]</a></p>
  <h1>[[{{ADDRESS}} is locked]]</h1>
  <form class="unlock" method="post" action="/my/mailbox/{{ID}}/unlock">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <label for="password">[[Mailbox password]]</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit" class="button button-primary">[[Unlock]]</button>
    {{#PASSWORD_ERROR}}<br><strong class="field-error" id="password-error">{{MESSAGE}}</strong>{{/PASSWORD_ERROR}}
  </form>
</section>
