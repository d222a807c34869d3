{{%AUTOESCAPE context="HTML"}}
{{! Any error page  -  STATUS (e.g. 404), TITLE ("Page not found"), }}
{{! MESSAGE (one sentence for the user). }}
<section class="panel error-panel">
  <p class="eyebrow">Error {{STATUS}}</p>
  <h1>{{TITLE}}</h1>
  <p class="lead">{{MESSAGE}}</p>
  <p><a class="button button-secondary" href="/">Back to the home page</a></p>
</section>
