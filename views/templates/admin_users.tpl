{{%AUTOESCAPE context="HTML"}}
{{! GET /admin/users  -  Q: the search; USER (section): ID, NAME, EMAIL, }}
{{! BANNED and SITE_ADMIN_ROW sections; NO_USERS; NEXT (section): Q, AFTER. }}
<section class="panel">
  <p class="eyebrow">[[Site admin]]</p>
  <h1>[[Users]]</h1>
  <form class="search" method="get" action="/admin/users" role="search">
    <label for="q">[[Launchpad name or email address starts with]]</label>
    <div class="search-row">
      <input type="search" id="q" name="q" value="{{Q}}" maxlength="255" autocomplete="off">
      <button type="submit" class="button button-secondary">[[Search]]</button>
    </div>
  </form>
{{#NO_USERS}}
  <p class="empty" role="status">[[No user matches.]]</p>
{{/NO_USERS}}
  <table class="admin-table">
    <thead><tr><th>[[Launchpad name]]</th><th>[[Email]]</th><th>[[Status]]</th></tr></thead>
    <tbody>
{{#USER}}
      <tr>
        <td><a class="user-link" href="/admin/users/{{ID}}">{{NAME}}</a></td>
        <td>{{EMAIL}}</td>
        <td>{{#BANNED}}[[banned]] {{/BANNED}}{{#SITE_ADMIN_ROW}}[[site admin]]{{/SITE_ADMIN_ROW}}</td>
      </tr>
{{/USER}}
    </tbody>
  </table>
{{#NEXT}}
  <form method="get" action="/admin/users" class="pager">
    <input type="hidden" name="q" value="{{Q}}">
    <input type="hidden" name="after" value="{{AFTER}}">
    <button type="submit" class="button button-secondary">[[Next page]]</button>
  </form>
{{/NEXT}}
</section>
