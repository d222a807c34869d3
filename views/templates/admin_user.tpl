{{%AUTOESCAPE context="HTML"}}
{{! GET /admin/users/:id  -  ID, NAME, EMAIL, DISPLAY_NAME, CLAIMED_ID, }}
{{! BAN_REASON, LAST_LOGIN, CREATED, ALIASES, DOMAINS; IS_BANNED or }}
{{! NOT_BANNED, IS_ADMIN or NOT_ADMIN; V_REASON (input kept); E_REASON, }}
{{! E_ADMIN and E_DOMAIN (sections with MESSAGE) next to their forms; }}
{{! DOMAIN_OPTION rows (NAME, SELECTED) of the domain-admin form; HISTORY }}
{{! rows (LINE: a sentence) or NO_HISTORY. }}
<section class="panel">
  <p class="eyebrow"><a href="/admin/users">Users</a></p>
  <h1>{{NAME}}</h1>
  <dl class="facts">
    <dt>Display name</dt><dd>{{DISPLAY_NAME}}</dd>
    <dt>Email address</dt><dd>{{EMAIL}}</dd>
    <dt>Ubuntu One identity</dt><dd class="mono">{{CLAIMED_ID}}</dd>
    <dt>Last sign-in</dt><dd>{{LAST_LOGIN}}</dd>
    <dt>First seen</dt><dd>{{CREATED}}</dd>
    <dt>Aliases</dt><dd>{{ALIASES}}</dd>
    <dt>Domains</dt><dd>{{DOMAINS}}</dd>
    <dt>Banned</dt><dd id="banned">{{#IS_BANNED}}yes: {{BAN_REASON}}{{/IS_BANNED}}{{#NOT_BANNED}}no{{/NOT_BANNED}}</dd>
    <dt>Site admin</dt><dd id="site-admin">{{#IS_ADMIN}}yes{{/IS_ADMIN}}{{#NOT_ADMIN}}no{{/NOT_ADMIN}}</dd>
  </dl>
</section>

<section class="panel">
{{#NOT_BANNED}}
  <h2>Ban</h2>
  <p>A ban takes effect at once: the user cannot sign in, their sessions end, their API tokens are revoked and their aliases are disabled (the user and the domains' admins are told). Unbanning brings none of it back by itself: they sign in again and make new tokens, and the next sync enables the aliases they are still entitled to.</p>
  <form method="post" action="/admin/users/{{ID}}/ban" class="admin-form">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <div class="field">
      <label for="reason">Reason</label>
      <input type="text" id="reason" name="reason" value="{{V_REASON}}" required aria-describedby="reason-help{{#E_REASON}} error-reason{{/E_REASON}}"{{#E_REASON}} aria-invalid="true"{{/E_REASON}}>
      <p class="fine" id="reason-help">One line, up to 500 characters.</p>
{{#E_REASON}}
      <p class="field-error" id="error-reason">{{MESSAGE}}</p>
{{/E_REASON}}
    </div>
    <button type="submit" class="button">Ban</button>
  </form>
{{/NOT_BANNED}}
{{#IS_BANNED}}
  <h2>Unban</h2>
  <form method="post" action="/admin/users/{{ID}}/unban">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <button type="submit" class="button">Unban</button>
  </form>
{{/IS_BANNED}}
  <h2>Site admin</h2>
  <form method="post" action="/admin/users/{{ID}}/site-admin">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
{{#NOT_ADMIN}}
    <input type="hidden" name="grant" value="yes">
    <button type="submit" class="button button-secondary">Make site admin</button>
{{/NOT_ADMIN}}
{{#IS_ADMIN}}
    <input type="hidden" name="grant" value="no">
    <button type="submit" class="button button-secondary">Revoke site admin</button>
{{/IS_ADMIN}}
{{#E_ADMIN}}
    <p class="field-error" role="alert" id="error-site-admin">{{MESSAGE}}</p>
{{/E_ADMIN}}
  </form>
  <h2>Domain admin</h2>
  <p>Make the user an admin of a domain, a member of it or not: how a new domain gets its first admin. Its admins promote and demote the others on the domain's page.</p>
  <form method="post" action="/admin/users/{{ID}}/domain-admin" class="admin-form">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <div class="field">
      <label for="domain">Domain</label>
      <select id="domain" name="domain" required{{#E_DOMAIN}} aria-describedby="error-domain" aria-invalid="true"{{/E_DOMAIN}}>
{{#DOMAIN_OPTION}}
        <option{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>
{{/DOMAIN_OPTION}}
      </select>
{{#E_DOMAIN}}
      <p class="field-error" id="error-domain">{{MESSAGE}}</p>
{{/E_DOMAIN}}
    </div>
    <button type="submit" class="button button-secondary">Make admin</button>
  </form>
</section>

<section class="panel" aria-labelledby="history-heading">
  <h2 id="history-heading">History</h2>
{{#NO_HISTORY}}
  <p class="empty">No changes recorded yet.</p>
{{/NO_HISTORY}}
  <ul class="history" id="history">
{{#HISTORY}}
    <li>{{LINE}}</li>
{{/HISTORY}}
  </ul>
</section>
