{{%AUTOESCAPE context="HTML"}}
<form method="post" action={{URL}}></form>
