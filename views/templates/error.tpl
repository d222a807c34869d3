{{%AUTOESCAPE context="HTML"}}
{{! Any error page  -  STATUS (e.g. 404), TITLE ("Page not found"), }}
{{! MESSAGE (one sentence for the user); SIGNIN (401): SIGNIN_URL signs in }}
{{! and comes back here. }}
<section class="panel error-panel">
  <p class="eyebrow">[[Error {{STATUS}}]]</p>
  <h1>{{TITLE}}</h1>
  <p class="lead">{{MESSAGE}}</p>
  {{#SIGNIN}}<p><a class="button button-primary" href="{{SIGNIN_URL}}">[[Sign in with Ubuntu One]]</a></p>{{/SIGNIN}}
  <p><a class="button button-secondary" href="/">[[Back to the home page]]</a></p>
</section>
