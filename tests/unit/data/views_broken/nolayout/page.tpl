{{%AUTOESCAPE context="HTML"}}
<p>{{NAME}}</p>
