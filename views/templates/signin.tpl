{{%AUTOESCAPE context="HTML"}}
{{! GET /auth/ubuntu  -  NEXT (the same-origin path to return to), CSRF_TOKEN. }}
<section class="panel">
  <p class="eyebrow">[[Sign in]]</p>
  <h1>[[Sign in with Ubuntu One]]</h1>
  <p class="lead">[[membermail checks your Launchpad membership with the account you use for Ubuntu One, then takes you back to the page you were going to.]]</p>
  <form class="login" method="post" action="/auth/ubuntu">
    <input type="hidden" name="next" value="{{NEXT}}">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <button type="submit" class="button button-primary">[[Log in with Ubuntu One]]</button>
  </form>
</section>
