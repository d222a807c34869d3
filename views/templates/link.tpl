{{%AUTOESCAPE context="HTML"}}
{{! GET|POST /confirm/:token and /undo/:token  -  the page of a link mailed }}
{{! by membermail.  ASK: what the link would do (HEADING, TEXT, FINE), the }}
{{! form posting to ACTION with BUTTON.  Otherwise HEADING and TEXT say what }}
{{! was done, or why the link cannot be used. }}
<section class="panel">
  <p class="eyebrow">{{EYEBROW}}</p>
  <h1>{{HEADING}}</h1>
  <p class="lead">{{TEXT}}</p>
{{#ASK}}
  <form method="post" action="{{ACTION}}">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <button type="submit" class="button button-primary">{{BUTTON}}</button>
  </form>
  <p class="fine">{{FINE}}</p>
{{/ASK}}
</section>
