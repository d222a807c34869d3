{{%AUTOESCAPE context="HTML"}}
{{! GET /my/mailbox  -  the member's mailboxes: NOTICE (NOTICE_TEXT), rows ALIAS }}
{{! (ALIAS_ID, ADDRESS, DELIVERY, DISABLED; NO_MAILBOX, or MAILBOX with }}
{{! MAILBOX_ID, USED, QUOTA, PERCENT, MESSAGES, then UNLOCKED or LOCKED with }}
{{! PASSWORD_ERROR (MESSAGE) and RETRY); NO_ALIASES; CSRF_TOKEN. }}
<section class="panel">
  <p class="eyebrow"><a href="/my">[[Your addresses]]</a></p>
  <h1>[[Mailboxes]]</h1>
  <p class="lead">[[Mail kept in a mailbox is encrypted for you before it is stored: only your mailbox password opens it. Nobody running this service can read it, and nobody can recover it if the password is lost.]]</p>
  {{#NOTICE}}<p class="notice" role="status">{{NOTICE_TEXT}}</p>{{/NOTICE}}
  {{#NO_ALIASES}}<p class="empty">[[You have no address yet: a mailbox keeps the mail of one of your addresses.]]</p>{{/NO_ALIASES}}
{{#ALIAS}}
  <div class="mailbox" id="alias-{{ALIAS_ID}}">
    <h2>{{ADDRESS}}</h2>
    <p class="state">{{! TRANSLATORS: DELIVERY is "forwarded to your recipients", "kept in the mailbox, not forwarded" or "forwarded and kept in the mailbox" }}[[Mail is {{DELIVERY}}.]]{{#DISABLED}} [[The address is disabled.]]{{/DISABLED}}</p>
{{#NO_MAILBOX}}
    <p><a class="button button-secondary" href="/my/mailbox/new?alias={{ALIAS_ID}}">[[Create a mailbox]]</a></p>
{{/NO_MAILBOX}}
{{#MAILBOX}}
    <p class="fine" id="mailbox-{{MAILBOX_ID}}-usage">[[{{MESSAGES}}, {{USED}} of {{QUOTA}} used ({{PERCENT}}%).]]</p>
{{#UNLOCKED}}
    <p>
      <a class="button button-primary" href="/my/mailbox/{{MAILBOX_ID}}">[[Open]]</a>
      <a class="button button-secondary" href="/my/mailbox/{{MAILBOX_ID}}/settings">[[Settings]]</a>
    </p>
    <form method="post" action="/my/mailbox/{{MAILBOX_ID}}/lock">
      <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
      <button type="submit" class="button button-secondary">{{! TRANSLATORS: a button that locks the mailbox }}[[Lock]]</button>
    </form>
{{/UNLOCKED}}
{{#LOCKED}}
    <form class="unlock" method="post" action="/my/mailbox/{{MAILBOX_ID}}/unlock">
      <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
      <label for="password-{{MAILBOX_ID}}">[[Mailbox password]]</label>
      <input id="password-{{MAILBOX_ID}}" name="password" type="password" autocomplete="current-password" required>
      <button type="submit" class="button button-primary">[[Unlock]]</button>
{{#PASSWORD_ERROR}}
      <br><strong class="field-error" id="password-error-{{MAILBOX_ID}}">{{MESSAGE}}</strong>
{{/PASSWORD_ERROR}}
    </form>
    <p class="fine">[[<a href="/my/mailbox/{{MAILBOX_ID}}/settings">Settings</a> (what this address does with its mail, a new password, a reset)]]</p>
{{/LOCKED}}
{{/MAILBOX}}
  </div>
{{/ALIAS}}
</section>
