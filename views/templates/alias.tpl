{{%AUTOESCAPE context="HTML"}}
{{! GET|POST /my/aliases/:id  -  one alias of the member: ID, ADDRESS, STATE, }}
{{! REMOVING with REMOVE_AT, UPDATED_AT (optimistic concurrency), NOTICE with NOTICE_TEXT, }}
{{! the form: RECIPIENTS, DESCRIPTION, ENABLED_CHECKED | DISABLED_CHECKED, }}
{{! REPLY_250 | REPLY_421 | REPLY_550, a refused field's <FIELD>_ERROR with }}
{{! MESSAGE; HISTORY rows (WHEN, WHO, ACTION, CHANGES) or NO_HISTORY. }}
<section class="panel">
  <p class="eyebrow"><a href="/my">Your addresses</a></p>
  <h1>{{ADDRESS}}</h1>
  {{#NOTICE}}<p class="notice" role="status">{{NOTICE_TEXT}}</p>{{/NOTICE}}
  {{#HAS_ERROR}}<p class="notice" role="alert">Nothing was saved: see the field marked below.</p>{{/HAS_ERROR}}
  <p class="state">{{STATE}}</p>
  {{#REMOVING}}<p class="fine">It will be removed at {{REMOVE_AT}}.</p>{{/REMOVING}}
  <form class="alias-form" method="post" action="/my/aliases/{{ID}}">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <input type="hidden" name="updated_at" value="{{UPDATED_AT}}">
    <p>
      <label for="recipients">Forward to (1 to 10 addresses, one per line)</label><br>
      <textarea id="recipients" name="recipients" rows="4" cols="50">{{RECIPIENTS:pre_escape}}</textarea>
      {{#RECIPIENTS_ERROR}}<br><strong class="field-error" id="recipients-error">{{MESSAGE}}</strong>{{/RECIPIENTS_ERROR}}
    </p>
    <fieldset>
      <legend>Forwarding</legend>
      <label><input type="radio" name="enabled" value="1"{{#ENABLED_CHECKED}} checked{{/ENABLED_CHECKED}}> enabled</label>
      <label><input type="radio" name="enabled" value="0"{{#DISABLED_CHECKED}} checked{{/DISABLED_CHECKED}}> disabled</label>
      {{#ENABLED_ERROR}}<br><strong class="field-error" id="enabled-error">{{MESSAGE}}</strong>{{/ENABLED_ERROR}}
    </fieldset>
    <p>
      <label for="reply_code">While disabled, senders get</label><br>
      <select id="reply_code" name="reply_code">
        <option value="550"{{#REPLY_550}} selected{{/REPLY_550}}>550: rejected</option>
        <option value="421"{{#REPLY_421}} selected{{/REPLY_421}}>421: try again later</option>
        <option value="250"{{#REPLY_250}} selected{{/REPLY_250}}>250: accepted and dropped</option>
      </select>
      {{#REPLY_ERROR}}<br><strong class="field-error" id="reply_code-error">{{MESSAGE}}</strong>{{/REPLY_ERROR}}
    </p>
    <p>
      <label for="description">Description (one line, up to 150 characters)</label><br>
      <input id="description" name="description" type="text" size="50" value="{{DESCRIPTION}}">
      {{#DESCRIPTION_ERROR}}<br><strong class="field-error" id="description-error">{{MESSAGE}}</strong>{{/DESCRIPTION_ERROR}}
    </p>
    <button type="submit" class="button button-primary">Save</button>
  </form>
  <h2>History</h2>
  {{#NO_HISTORY}}<p class="empty">No changes yet.</p>{{/NO_HISTORY}}
  <ul class="history">
    {{#HISTORY}}<li>{{WHEN}}: {{WHO}}, {{ACTION}} {{CHANGES}}</li>{{/HISTORY}}
  </ul>
</section>
