{{%AUTOESCAPE context="HTML"}}
{{! GET /admin/domains/<domain>/reserved  -  DOMAIN; BUILTIN and OWN }}
{{! (sections: NAME, WHY); IN_USE (sections: ID, LOCAL_PART, OWNER, STATE): }}
{{! aliases made before their name was reserved, never assigned; the add }}
{{! form: V_LOCAL_PART (input kept) and E_LOCAL_PART (MESSAGE). }}
<section class="panel">
  <p class="eyebrow">[[Site admin]]</p>
  <h1>[[Reserved names of {{DOMAIN}}]]</h1>
  <p>[[Nobody gets one of these addresses from the Launchpad sync or from a domain admin: they are where certificate authorities and other mail systems write to the people who run {{DOMAIN}}.]]
  [[A site admin can still give one to a member, on purpose, from the member's page (<a href="/domains/{{DOMAIN}}">{{DOMAIN}}</a>); the domain's log records it.]]</p>
  <h2>[[Reserved on every domain]]</h2>
  <ul class="plain-list">
{{#BUILTIN}}
    <li><span class="mono">{{NAME}}@{{DOMAIN}}</span> <span class="muted">{{WHY}}</span></li>
{{/BUILTIN}}
  </ul>
  <h2>[[Reserved on {{DOMAIN}} only]]</h2>
  <table class="admin-table">
    <tbody>
{{#OWN}}
      <tr id="reserved-{{NAME}}">
        <td class="mono">{{NAME}}@{{DOMAIN}}</td>
        <td>
          <form method="post" action="/admin/domains/{{DOMAIN}}/reserved/{{NAME}}/remove">
            <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
            <button type="submit" class="button button-secondary">[[No longer reserve]]</button>
          </form>
        </td>
      </tr>
{{/OWN}}
    </tbody>
  </table>
  <form method="post" action="/admin/domains/{{DOMAIN}}/reserved" class="admin-form">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <label for="local_part">[[Reserve a name on {{DOMAIN}}]]</label>
    <input type="text" id="local_part" name="local_part" value="{{V_LOCAL_PART}}" maxlength="64" required>
{{#E_LOCAL_PART}}
    <p class="field-error" role="alert" id="error-local_part">{{MESSAGE}}</p>
{{/E_LOCAL_PART}}
    {{! TRANSLATORS: a button: reserve the name typed. }}
    <button type="submit" class="button">[[Reserve]]</button>
  </form>
</section>
<section class="panel">
  <h2>[[Addresses that use a reserved name]]</h2>
  <p>[[These aliases were made before their name was reserved and were never assigned by a site admin.]]
  [[They keep working until they are disabled; once disabled, nobody can enable them again unless a site admin assigns them here (the domain's log records it).]]</p>
  <table class="admin-table">
    <tbody>
{{#IN_USE}}
      <tr>
        <td class="mono">{{LOCAL_PART}}@{{DOMAIN}}</td>
        <td><a href="/domains/{{DOMAIN}}/members/{{OWNER}}">~{{OWNER}}</a></td>
        <td>{{STATE}}</td>
        <td>
          <form method="post" action="/admin/domains/{{DOMAIN}}/reserved/aliases/{{ID}}/assign">
            <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
            <button type="submit" class="button button-secondary">[[Assign to ~{{OWNER}}]]</button>
          </form>
        </td>
      </tr>
{{/IN_USE}}
    </tbody>
  </table>
</section>
