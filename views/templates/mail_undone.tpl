{{%AUTOESCAPE context="HTML"}}
{{! Mail to the owner of ALIAS: a receipt's link restored its recipients (RECIPIENTS, other members' addresses in words) and locked it until they sign in at SIGNIN_URL. }}
[membermail] [[The forwarding of {{ALIAS}} was put back and locked]]
[[Someone used the link of a receipt to undo a change of {{ALIAS}}.]]

[[Its mail goes again to: {{RECIPIENTS}}]]

[[Changes to {{ALIAS}} are locked, and you were signed out everywhere. Sign in again to unlock it, and check its forwarding:]]

{{SIGNIN_URL}}

[[If you did not expect this, someone may have had access to your account: change your Ubuntu One password.]]
