{{%AUTOESCAPE context="HTML"}}
{{! GET /my/mailbox/:id/messages/:mid  -  one message: ID, MID, ADDRESS, FROM, }}
{{! TO, CC (HAS_CC), SUBJECT, DATE, RECEIVED, SIZE, TEXT, CUT, HTML_ONLY, }}
{{! MALFORMED, NO_TEXT, rows ATTACHMENT (N, NAME, TYPE, SIZE); CSRF_TOKEN. }}
<section class="panel">
  <p class="eyebrow"><a href="/my/mailbox/{{ID}}">{{ADDRESS}}</a></p>
  <h1>{{SUBJECT}}</h1>
  <dl class="facts">
    <dt>[[From]]</dt><dd id="from">{{FROM}}</dd>
    <dt>[[To]]</dt><dd id="to">{{TO}}</dd>
    {{#HAS_CC}}<dt>[[Cc]]</dt><dd>{{CC}}</dd>{{/HAS_CC}}
    <dt>[[Date]]</dt><dd>{{DATE}}</dd>
    <dt>[[Received]]</dt><dd>{{RECEIVED}}, {{SIZE}}</dd>
  </dl>
  {{#MALFORMED}}<p class="notice" role="note">[[This message is not well formed: it is shown as well as it can be, and kept as it was received.]]</p>{{/MALFORMED}}
  {{#HTML_ONLY}}<p class="notice" role="note">[[This message was sent as HTML only: it is shown as text, and nothing it refers to (images, links) is loaded.]]</p>{{/HTML_ONLY}}
  {{#NO_TEXT}}<p class="empty">[[This message has no text.]]</p>{{/NO_TEXT}}
  <pre class="message-text" id="text">{{TEXT}}</pre>
  {{#CUT}}<p class="fine">[[The text is longer than this page shows: export the mailbox to read it whole.]]</p>{{/CUT}}
{{#HAS_ATTACHMENTS}}
  <h2>[[Attachments]]</h2>
  <ul class="attachments">
{{/HAS_ATTACHMENTS}}
{{#ATTACHMENT}}
    <li><a href="/my/mailbox/{{ID}}/messages/{{MID}}/attachments/{{N}}">{{NAME}}</a> <span class="fine">{{TYPE}}, {{SIZE}}</span></li>
{{/ATTACHMENT}}
{{#HAS_ATTACHMENTS}}
  </ul>
{{/HAS_ATTACHMENTS}}
  <form method="post" action="/my/mailbox/{{ID}}/delete">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <input type="hidden" name="message" value="{{MID}}">
    <button type="submit" class="button button-secondary">[[Delete this message]]</button>
  </form>
</section>
