{{%AUTOESCAPE context="HTML"}}
{{! GET /<slug>  -  SLUG ("ubuntu"), NAME ("Ubuntu"), DOMAIN ("ubuntu.com"), }}
{{! TEAM ("~ubuntumembers"), LOGO_URL (its mark, or the generic one), CSRF_TOKEN. }}
<section class="panel">
  <img class="community-logo" src="{{LOGO_URL}}" alt="" width="64" height="64">
  <p class="eyebrow">{{NAME}}</p>
  <h1>[[Manage your @{{DOMAIN}} email address]]</h1>
  <p class="lead">[[Members of the Launchpad team <a href="https://launchpad.net/{{TEAM}}">{{TEAM}}</a> who have signed the <a href="https://launchpad.net/codeofconduct">Ubuntu Code of Conduct</a> get an address at {{DOMAIN}} that forwards to their own mailbox.]]</p>
  <ol class="steps">
    <li>[[Log in with your Ubuntu One account.]]</li>
    <li>[[We check your {{NAME}} membership on Launchpad.]]</li>
    <li>[[Choose the address your @{{DOMAIN}} mail goes to.]]</li>
  </ol>
  <form class="login" method="post" action="/auth/ubuntu">
    <input type="hidden" name="domain" value="{{SLUG}}">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <button type="submit" class="button button-primary">[[Log in with Ubuntu One]]</button>
  </form>
  <p class="fine">[[Your address stops forwarding when you leave {{TEAM}}.]]</p>
</section>
