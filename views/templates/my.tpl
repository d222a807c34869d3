{{%AUTOESCAPE context="HTML"}}
{{! GET /my  -  who is signed in: DISPLAY_NAME, USER_NAME (Launchpad), }}
{{! EMAIL, CLAIMED_ID; CSRF_TOKEN for the sign-out form; }}
{{! ADMINISTERS (section) with ADMIN_DOMAIN rows (DOMAIN): the domains }}
{{! this user administers. }}
<section class="panel">
  <p class="eyebrow">Your account</p>
  <h1>Hello, {{DISPLAY_NAME}}</h1>
  <dl class="facts">
    <dt>Launchpad name</dt>
    <dd><a href="https://launchpad.net/~{{USER_NAME}}">~{{USER_NAME}}</a></dd>
    <dt>Email address</dt>
    <dd>{{EMAIL}}</dd>
    <dt>Ubuntu One identity</dt>
    <dd class="mono">{{CLAIMED_ID}}</dd>
  </dl>
  <p class="lead">Your community addresses will be listed here.</p>
{{#ADMINISTERS}}
  <h2>Domains you administer</h2>
{{/ADMINISTERS}}
  <ul class="admin-domains">
{{#ADMIN_DOMAIN}}
    <li><a href="/domains/{{DOMAIN}}">{{DOMAIN}}</a></li>
{{/ADMIN_DOMAIN}}
  </ul>
  <form method="post" action="/auth/logout">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <button type="submit" class="button button-secondary">Sign out</button>
  </form>
</section>
