{{%AUTOESCAPE context="HTML"}}
{{! GET /my/mailbox/:id  -  an unlocked mailbox: ID, ADDRESS, USED, QUOTA, }}
{{! NOTICE (NOTICE_TEXT), rows MESSAGE (MID, FROM, SUBJECT, WHEN, SIZE, }}
{{! ATTACHED, UNREADABLE), NO_MESSAGES, NEXT (CURSOR), FIRST; CSRF_TOKEN. }}
<section class="panel">
  <p class="eyebrow"><a href="/my/mailbox">[[Mailboxes]]</a></p>
  <h1>{{ADDRESS}}</h1>
  {{#NOTICE}}<p class="notice" role="status">{{NOTICE_TEXT}}</p>{{/NOTICE}}
  <p class="fine">[[{{USED}} of {{QUOTA}} used.]] <a href="/my/mailbox/{{ID}}/export">[[Export (mbox)]]</a> · <a href="/my/mailbox/{{ID}}/settings">[[Settings]]</a></p>
  <form method="post" action="/my/mailbox/{{ID}}/lock">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <button type="submit" class="button button-secondary">{{! TRANSLATORS: a button that locks the mailbox }}[[Lock]]</button>
  </form>
  {{#NO_MESSAGES}}<p class="empty">[[No messages.]]</p>{{/NO_MESSAGES}}
{{#LIST}}
  <form method="post" action="/my/mailbox/{{ID}}/delete" id="messages-form">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <table class="list" id="messages">
      <thead><tr><th></th><th>[[From]]</th><th>[[Subject]]</th><th>[[Date]]</th><th>[[Size]]</th></tr></thead>
      <tbody>
{{/LIST}}
{{#MESSAGE}}
        <tr id="message-{{MID}}">
          <td><input type="checkbox" name="message" value="{{MID}}" aria-label="[[Select this message]]"></td>
          <td>{{FROM}}</td>
          <td><a href="/my/mailbox/{{ID}}/messages/{{MID}}">{{SUBJECT}}</a>{{#ATTACHED}} <span class="fine">[[(attachments)]]</span>{{/ATTACHED}}{{#UNREADABLE}} <span class="field-error">[[(cannot be opened)]]</span>{{/UNREADABLE}}</td>
          <td>{{WHEN}}</td>
          <td>{{SIZE}}</td>
        </tr>
{{/MESSAGE}}
{{#LIST}}
      </tbody>
    </table>
    <button type="submit" class="button button-secondary">[[Delete the selected messages]]</button>
  </form>
{{/LIST}}
  <p>{{#FIRST}}<a href="/my/mailbox/{{ID}}">[[Newest]]</a> {{/FIRST}}{{#NEXT}}<a href="/my/mailbox/{{ID}}?before={{CURSOR}}" rel="next">[[Older]]</a>{{/NEXT}}</p>
</section>
