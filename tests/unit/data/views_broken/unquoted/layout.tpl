{{%AUTOESCAPE context="HTML"}}
<!doctype html>
<title>{{TITLE}}</title>
{{>CONTENT}}
