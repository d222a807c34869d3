<p>{{NAME}} has no auto-escape pragma</p>
