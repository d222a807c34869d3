{{%AUTOESCAPE context="HTML"}}
{{! Mail to alerts_to: ~TEAM shrank from TRUSTED to TOTAL members, more than THRESHOLD percent; removals for it are held. }}
[membermail] {{! TRANSLATORS: the subject of an e-mail to the site's operators }}[[~{{TEAM}} shrank: removals held]]
[[The latest complete snapshot of ~{{TEAM}} has {{TOTAL}} members; the last trusted one had {{TRUSTED}}, so it shrank by more than {{THRESHOLD}} %.]]
[[Until an operator accepts it, nobody loses an address because of ~{{TEAM}} (new members still get theirs).]]
[[If the change is real, accept it: membermail sync --accept-shrink {{TEAM}}]]
