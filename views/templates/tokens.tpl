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
  <div class="notice notice-success" role="status">
    <p>Your new token "{{NEW_NAME}}". Copy it now: it is shown only once.</p>
    <p class="mono" id="new-token">{{SECRET}}</p>
  </div>
{{/NEW_TOKEN}}
  <h2>New token</h2>
  <form method="post" action="/my/tokens">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <div class="field">
      <label for="token-name">Name</label>
      <input id="token-name" name="name" value="{{NAME}}" maxlength="64" required aria-describedby="token-name-help{{#ERROR_NAME}} error-name{{/ERROR_NAME}}"{{#ERROR_NAME}} aria-invalid="true"{{/ERROR_NAME}}>
      <p class="fine" id="token-name-help">Up to 64 characters, to tell your tokens apart.</p>
{{#ERROR_NAME}}
      <p class="field-error" id="error-name">{{MESSAGE}}</p>
{{/ERROR_NAME}}
    </div>
    <div class="field">
      <label for="token-days">Expires after (days)</label>
      <input id="token-days" name="expires_days" value="{{DAYS}}" inputmode="numeric" aria-describedby="token-days-help{{#ERROR_DAYS}} error-days{{/ERROR_DAYS}}"{{#ERROR_DAYS}} aria-invalid="true"{{/ERROR_DAYS}}>
      <p class="fine" id="token-days-help">1 to {{DAYS_MAX}} days.</p>
{{#ERROR_DAYS}}
      <p class="field-error" id="error-days">{{MESSAGE}}</p>
{{/ERROR_DAYS}}
    </div>
    <button type="submit" class="button button-primary">Create token</button>
  </form>
  <h2>Your tokens</h2>
{{#NO_TOKENS}}
  <p class="empty">You have no API tokens.</p>
{{/NO_TOKENS}}
{{#TOKEN_LIST}}
  <table class="list" id="tokens">
    <thead><tr><th>Name</th><th>State</th><th>Created</th><th>Last used</th><th>Expires</th><th><span class="visually-hidden">Action</span></th></tr></thead>
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
