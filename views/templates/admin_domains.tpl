{{%AUTOESCAPE context="HTML"}}
{{! GET /admin/domains  -  DOMAIN (section): NAME, TEAM, SLUG, TITLE, LIMIT, }}
{{! LOGO, ROLE, TXT, MEMBERS, ALIASES, TXT_RECORD, TOKEN; ENABLED or DISABLED, }}
{{! UNVERIFIED, LIMIT_ERROR and ROLE_ERROR (MESSAGE) sections.  The add form: V_NAME, }}
{{! V_TEAM, V_SLUG, V_TITLE, V_LIMIT (input kept) and E_NAME ... E_LIMIT }}
{{! (sections with MESSAGE) next to their fields. }}
<section class="panel">
  <p class="eyebrow">Site admin</p>
  <h1>Domains</h1>
  <table class="admin-table">
    <thead>
      <tr><th>Domain</th><th>Team</th><th>Landing page</th><th>DNS</th><th>Members</th><th>Aliases</th><th>State</th><th>Alias limit</th><th>Logo</th><th>postmaster@, abuse@</th></tr>
    </thead>
    <tbody>
{{#DOMAIN}}
      <tr id="domain-{{NAME}}">
        <td><a href="/domains/{{NAME}}">{{NAME}}</a><br><span class="muted">{{TITLE}}</span><br><a href="/admin/domains/{{NAME}}/reserved">reserved names</a></td>
        <td><a href="https://launchpad.net/~{{TEAM}}">~{{TEAM}}</a></td>
        <td>{{SLUG}}</td>
        <td>{{TXT}}{{#UNVERIFIED}}<br><span class="mono">{{NAME}}. IN TXT "{{TXT_RECORD}}{{TOKEN}}"</span>{{/UNVERIFIED}}</td>
        <td>{{MEMBERS}}</td>
        <td>{{ALIASES}}</td>
        <td>
          <form method="post" action="/admin/domains/{{NAME}}/enabled">
            <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
{{#ENABLED}}
            <span class="state">enabled</span>
            <input type="hidden" name="enabled" value="no">
            <button type="submit" class="button button-secondary">Disable</button>
{{/ENABLED}}
{{#DISABLED}}
            <span class="state">disabled</span>
            <input type="hidden" name="enabled" value="yes">
            <button type="submit" class="button button-secondary">Enable</button>
{{/DISABLED}}
          </form>
        </td>
        <td>
          <form method="post" action="/admin/domains/{{NAME}}/limit">
            <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
            <label class="visually-hidden" for="limit-{{NAME}}">Alias limit of {{NAME}}</label>
            <input type="text" id="limit-{{NAME}}" name="alias_limit" value="{{LIMIT}}" size="3" inputmode="numeric"{{#LIMIT_ERROR}} aria-describedby="limit-{{NAME}}-error" aria-invalid="true"{{/LIMIT_ERROR}}>
            <button type="submit" class="button button-secondary">Set</button>
{{#LIMIT_ERROR}}
            <p class="field-error" id="limit-{{NAME}}-error">{{MESSAGE}}</p>
{{/LIMIT_ERROR}}
          </form>
        </td>
        <td>
          <form method="post" action="/admin/domains/{{NAME}}/logo">
            <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
            <label class="visually-hidden" for="logo-{{NAME}}">Logo of {{NAME}} (a file of static/logos/, or none)</label>
            <input type="text" id="logo-{{NAME}}" name="logo" value="{{LOGO}}" size="12" placeholder="none">
            <button type="submit" class="button button-secondary">Set</button>
          </form>
        </td>
        <td>
          <form method="post" action="/admin/domains/{{NAME}}/role-recipient">
            <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
            <label class="visually-hidden" for="role-{{NAME}}">Where postmaster@ and abuse@ of {{NAME}} go (empty: its admins)</label>
            <input type="email" id="role-{{NAME}}" name="role_recipient" value="{{ROLE}}" size="24" placeholder="its admins">
            <button type="submit" class="button button-secondary">Set</button>
{{#ROLE_ERROR}}
            <p class="field-error" role="alert">{{MESSAGE}}</p>
{{/ROLE_ERROR}}
          </form>
        </td>
      </tr>
{{/DOMAIN}}
    </tbody>
  </table>
</section>

<section class="panel">
  <h2 id="add">Add a domain</h2>
  <form method="post" action="/admin/domains" class="admin-form">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <div class="field">
      <label for="name">Domain name</label>
      <input type="text" id="name" name="name" value="{{V_NAME}}" required placeholder="example.org"{{#E_NAME}} aria-describedby="error-name"{{/E_NAME}}{{#E_NAME}} aria-invalid="true"{{/E_NAME}}>
{{#E_NAME}}
      <p class="field-error" id="error-name">{{MESSAGE}}</p>
{{/E_NAME}}
    </div>
    <div class="field">
      <label for="team">Launchpad team</label>
      <input type="text" id="team" name="team" value="{{V_TEAM}}" required placeholder="~team-name"{{#E_TEAM}} aria-describedby="error-team"{{/E_TEAM}}{{#E_TEAM}} aria-invalid="true"{{/E_TEAM}}>
{{#E_TEAM}}
      <p class="field-error" id="error-team">{{MESSAGE}}</p>
{{/E_TEAM}}
    </div>
    <div class="field">
      <label for="slug">Landing page</label>
      <input type="text" id="slug" name="slug" value="{{V_SLUG}}" aria-describedby="slug-help{{#E_SLUG}} error-slug{{/E_SLUG}}"{{#E_SLUG}} aria-invalid="true"{{/E_SLUG}}>
      <p class="fine" id="slug-help">Optional: the page /name, 1 to 32 lower-case letters, digits or '-'.</p>
{{#E_SLUG}}
      <p class="field-error" id="error-slug">{{MESSAGE}}</p>
{{/E_SLUG}}
    </div>
    <div class="field">
      <label for="title">Title</label>
      <input type="text" id="title" name="title" value="{{V_TITLE}}" aria-describedby="title-help{{#E_TITLE}} error-title{{/E_TITLE}}"{{#E_TITLE}} aria-invalid="true"{{/E_TITLE}}>
      <p class="fine" id="title-help">Optional: one line, up to 64 characters.</p>
{{#E_TITLE}}
      <p class="field-error" id="error-title">{{MESSAGE}}</p>
{{/E_TITLE}}
    </div>
    <div class="field">
      <label for="alias_limit">Aliases per member</label>
      <input type="text" id="alias_limit" name="alias_limit" value="{{V_LIMIT}}" inputmode="numeric" required aria-describedby="alias_limit-help{{#E_LIMIT}} error-alias_limit{{/E_LIMIT}}"{{#E_LIMIT}} aria-invalid="true"{{/E_LIMIT}}>
      <p class="fine" id="alias_limit-help">0 to 100; admins have no limit.</p>
{{#E_LIMIT}}
      <p class="field-error" id="error-alias_limit">{{MESSAGE}}</p>
{{/E_LIMIT}}
    </div>
    <button type="submit" class="button button-primary">Add domain</button>
  </form>
</section>
