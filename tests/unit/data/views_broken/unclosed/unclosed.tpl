{{%AUTOESCAPE context="HTML"}}
{{#ROWS}}
<p>{{NAME}}</p>
