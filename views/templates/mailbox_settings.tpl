{{%AUTOESCAPE context="HTML"}}
{{! GET|POST /my/mailbox/:id/settings  -  ID, ADDRESS, USED, QUOTA, PERCENT, }}
{{! MESSAGES, FORWARD_CHECKED | KEEP_CHECKED | BOTH_CHECKED, NOTICE }}
{{! (NOTICE_TEXT), field errors <FIELD>_ERROR (MESSAGE), MIN; CSRF_TOKEN. }}
<section class="panel">
  <p class="eyebrow"><a href="/my/mailbox">[[Mailboxes]]</a></p>
  <h1>[[{{ADDRESS}}: settings]]</h1>
  {{#NOTICE}}<p class="notice" role="status">{{NOTICE_TEXT}}</p>{{/NOTICE}}
  <p class="fine" id="usage">{{! TRANSLATORS: MESSAGES is "12 messages", USED and QUOTA sizes ("1.5 MB") }}[[{{MESSAGES}}, {{USED}} of {{QUOTA}} used ({{PERCENT}}%).]]</p>
  <h2>[[Mail to {{ADDRESS}}]]</h2>
  <form method="post" action="/my/mailbox/{{ID}}/delivery">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <fieldset>
      <legend>{{! TRANSLATORS: followed by the three choices below }}[[Mail is]]</legend>
      <label><input type="radio" name="delivery" value="forward"{{#FORWARD_CHECKED}} checked{{/FORWARD_CHECKED}}> [[forwarded only]]</label><br>
      <label><input type="radio" name="delivery" value="keep"{{#KEEP_CHECKED}} checked{{/KEEP_CHECKED}}> [[kept in this mailbox only]]</label><br>
      <label><input type="radio" name="delivery" value="both"{{#BOTH_CHECKED}} checked{{/BOTH_CHECKED}}> [[forwarded and kept]]</label>
      {{#DELIVERY_ERROR}}<br><strong class="field-error" id="delivery-error">{{MESSAGE}}</strong>{{/DELIVERY_ERROR}}
    </fieldset>
    <button type="submit" class="button button-primary">[[Save]]</button>
  </form>
  <h2>[[A new password]]</h2>
  <p class="fine">[[The messages stay as they are; only the lock changes. Browsers that have this mailbox unlocked elsewhere are locked out.]]</p>
  <form method="post" action="/my/mailbox/{{ID}}/password">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <p>
      <label for="old_password">[[Current password]]</label><br>
      <input id="old_password" name="old_password" type="password" autocomplete="current-password" required>
      {{#OLD_PASSWORD_ERROR}}<br><strong class="field-error" id="old_password-error">{{MESSAGE}}</strong>{{/OLD_PASSWORD_ERROR}}
    </p>
    <p>
      <label for="new_password">[[New password (at least {{MIN}} characters)]]</label><br>
      <input id="new_password" name="password" type="password" autocomplete="new-password" minlength="{{MIN}}" required>
      {{#PASSWORD_ERROR}}<br><strong class="field-error" id="password-error">{{MESSAGE}}</strong>{{/PASSWORD_ERROR}}
    </p>
    <p>
      <label for="new_password2">[[The new password again]]</label><br>
      <input id="new_password2" name="password2" type="password" autocomplete="new-password" minlength="{{MIN}}" required>
      {{#PASSWORD2_ERROR}}<br><strong class="field-error" id="password2-error">{{MESSAGE}}</strong>{{/PASSWORD2_ERROR}}
    </p>
    <button type="submit" class="button button-primary">[[Change the password]]</button>
  </form>
  <h2>[[Reset: a lost password]]</h2>
  <p class="notice" role="note">[[<strong>A reset destroys every message in this mailbox</strong>, for good, and starts it over, empty, with a new password. Nobody can open the old messages without the old password.]]</p>
  <form method="post" action="/my/mailbox/{{ID}}/reset">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <p>
      <label for="confirm">[[Type the address, {{ADDRESS}}, to confirm]]</label><br>
      <input id="confirm" name="confirm" type="text" autocomplete="off" required>
      {{#CONFIRM_ERROR}}<br><strong class="field-error" id="confirm-error">{{MESSAGE}}</strong>{{/CONFIRM_ERROR}}
    </p>
    <p>
      <label for="reset_password">[[New password (at least {{MIN}} characters)]]</label><br>
      <input id="reset_password" name="password" type="password" autocomplete="new-password" minlength="{{MIN}}" required>
      {{#RESET_PASSWORD_ERROR}}<br><strong class="field-error" id="reset-password-error">{{MESSAGE}}</strong>{{/RESET_PASSWORD_ERROR}}
    </p>
    <p>
      <label for="reset_password2">[[The new password again]]</label><br>
      <input id="reset_password2" name="password2" type="password" autocomplete="new-password" minlength="{{MIN}}" required>
      {{#RESET_PASSWORD2_ERROR}}<br><strong class="field-error" id="reset-password2-error">{{MESSAGE}}</strong>{{/RESET_PASSWORD2_ERROR}}
    </p>
    <button type="submit" class="button button-danger">[[Destroy every message and reset]]</button>
  </form>
</section>
