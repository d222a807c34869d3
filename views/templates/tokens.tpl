{{%AUTOESCAPE context="HTML"}}
{{! GET|POST /my/tokens  -  personal API tokens: NEW_TOKEN (SECRET, shown once, }}
{{! NEW_NAME), the form (NAME, DAYS, ERROR_NAME, ERROR_DAYS, DAYS_MAX), }}
{{! rows TOKEN (ID, NAME, STATE, CREATED, LAST_USED, EXPIRES, REVOKED, }}
{{! ACTIVE), NO_TOKENS; CSRF_TOKEN. }}
<section class="panel">
  <p class="eyebrow">Your account</p>
  <h1>API tokens</h1>
  <p class="lead">A token lets a program use the membermail API (<span class="mono">/api/v1/</span>) as you: send it as <span class="mono">Authorization: Bearer &lt;token&gt;</span>.</p>
{{#NEW_TOKEN}}
  <div class="notice" role="status">
    <p>Your new token "{{NEW_NAME}}". Copy it now: it is shown only once.</p>
    <p class="mono" id="new-token">{{SECRET}}</p>
  </div>
{{/NEW_TOKEN}}
  <h2>New token</h2>
  <form method="post" action="/my/tokens">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <p>
      <label for="token-name">Name (up to 64 characters)</label><br>
      <input id="token-name" name="name" value="{{NAME}}" maxlength="64" required>
{{#ERROR_NAME}}
      <br><strong class="field-error" id="error-name">{{MESSAGE}}</strong>
{{/ERROR_NAME}}
    </p>
    <p>
      <label for="token-days">Expires after (days, 1 to {{DAYS_MAX}})</label><br>
      <input id="token-days" name="expires_days" value="{{DAYS}}" inputmode="numeric">
{{#ERROR_DAYS}}
      <br><strong class="field-error" id="error-days">{{MESSAGE}}</strong>
{{/ERROR_DAYS}}
    </p>
    <button type="submit" class="button button-primary">Create token</button>
  </form>
  <h2>Your tokens</h2>
{{#NO_TOKENS}}
  <p class="empty">You have no API tokens.</p>
{{/NO_TOKENS}}
{{#TOKEN_LIST}}
  <table class="list" id="tokens">
    <thead><tr><th>Name</th><th>State</th><th>Created</th><th>Last used</th><th>Expires</th><th></th></tr></thead>
    <tbody>
{{/TOKEN_LIST}}
{{#TOKEN}}
      <tr id="token-{{ID}}">
        <td>{{NAME}}</td><td>{{STATE}}</td><td>{{CREATED}}</td><td>{{LAST_USED}}</td><td>{{EXPIRES}}</td>
        <td>
{{#ACTIVE}}
          <form method="post" action="/my/tokens/{{ID}}/revoke">
            <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
            <button type="submit" class="button button-secondary">Revoke</button>
          </form>
{{/ACTIVE}}
{{#REVOKED}}revoked {{REVOKED_AT}}{{/REVOKED}}
        </td>
      </tr>
{{/TOKEN}}
{{#TOKEN_LIST}}
    </tbody>
  </table>
{{/TOKEN_LIST}}
</section>
