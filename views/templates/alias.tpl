{{%AUTOESCAPE context="HTML"}}
{{! GET|POST /my/aliases/:id  -  one alias of the member: ID, ADDRESS, STATE, }}
{{! REMOVING with REMOVE_AT, UPDATED_AT (optimistic concurrency; the layout shows NOTICE), }}
{{! the form: RECIPIENTS, DESCRIPTION, ENABLED_CHECKED | DISABLED_CHECKED, }}
{{! REPLY_250 | REPLY_421 | REPLY_550, a refused field's <FIELD>_ERROR with }}
{{! MESSAGE; HISTORY rows (LINE: a sentence) or NO_HISTORY. }}
{{! LOCKED: an undo locked it.  HAS_PENDING with PENDING_ADDRESS rows }}
{{! (PENDING_ADDR, STATE, CAN_RESEND): the change waiting for confirmation. }}
<section class="panel">
  <p class="eyebrow"><a href="/my">Your addresses</a></p>
  <h1>{{ADDRESS}}</h1>
  {{#HAS_ERROR}}<p class="notice notice-error" role="alert">Nothing was saved: see the field marked below.</p>{{/HAS_ERROR}}
  <p class="state">{{STATE}}</p>
  {{#REMOVING}}<p class="fine">It will be removed at {{REMOVE_AT}}.</p>{{/REMOVING}}
  {{#LOCKED}}<p class="notice notice-error" role="status">Changes are locked: its previous forwarding was put back from a receipt. Sign in again to unlock it.</p>{{/LOCKED}}
{{#HAS_PENDING}}
  <section class="pending-change" aria-labelledby="pending-heading">
    <h2 id="pending-heading">Waiting for confirmation</h2>
    <p>The new forwarding starts once every new address below has agreed; until then mail goes where it went before.</p>
    <ul class="pending-list">
{{#PENDING_ADDRESS}}
      <li><span class="mono">{{PENDING_ADDR}}</span>: {{STATE}}
{{#CAN_RESEND}}
        <form method="post" action="/my/aliases/{{ID}}/resend">
          <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
          <input type="hidden" name="address" value="{{PENDING_ADDR}}">
          <button type="submit" class="link-button">Send the link again<span class="visually-hidden"> to {{PENDING_ADDR}}</span></button>
        </form>
{{/CAN_RESEND}}
      </li>
{{/PENDING_ADDRESS}}
    </ul>
  </section>
{{/HAS_PENDING}}
  <form class="alias-form" method="post" action="/my/aliases/{{ID}}">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <input type="hidden" name="updated_at" value="{{UPDATED_AT}}">
    <div class="field">
      <label for="recipients">Forward to</label>
      <textarea id="recipients" name="recipients" rows="4" cols="50" aria-describedby="recipients-help{{#RECIPIENTS_ERROR}} recipients-error{{/RECIPIENTS_ERROR}}"{{#RECIPIENTS_ERROR}} aria-invalid="true"{{/RECIPIENTS_ERROR}}>{{RECIPIENTS:pre_escape}}</textarea>
      <p class="fine" id="recipients-help">1 to 10 addresses, one per line.</p>
      {{#RECIPIENTS_ERROR}}<p class="field-error" id="recipients-error">{{MESSAGE}}</p>{{/RECIPIENTS_ERROR}}
    </div>
    <fieldset{{#ENABLED_ERROR}} aria-describedby="enabled-error"{{/ENABLED_ERROR}}>
      <legend>Forwarding</legend>
      <label class="choice"><input type="radio" name="enabled" value="1"{{#ENABLED_CHECKED}} checked{{/ENABLED_CHECKED}}{{#ENABLED_ERROR}} aria-invalid="true"{{/ENABLED_ERROR}}> enabled</label>
      <label class="choice"><input type="radio" name="enabled" value="0"{{#DISABLED_CHECKED}} checked{{/DISABLED_CHECKED}}{{#ENABLED_ERROR}} aria-invalid="true"{{/ENABLED_ERROR}}> disabled</label>
      {{#ENABLED_ERROR}}<p class="field-error" id="enabled-error">{{MESSAGE}}</p>{{/ENABLED_ERROR}}
    </fieldset>
    <div class="field">
      <label for="reply_code">While disabled, senders get</label>
      <select id="reply_code" name="reply_code"{{#REPLY_ERROR}} aria-describedby="reply_code-error" aria-invalid="true"{{/REPLY_ERROR}}>
        <option value="550"{{#REPLY_550}} selected{{/REPLY_550}}>550: rejected</option>
        <option value="421"{{#REPLY_421}} selected{{/REPLY_421}}>421: try again later</option>
        <option value="250"{{#REPLY_250}} selected{{/REPLY_250}}>250: accepted and dropped</option>
      </select>
      {{#REPLY_ERROR}}<p class="field-error" id="reply_code-error">{{MESSAGE}}</p>{{/REPLY_ERROR}}
    </div>
    <div class="field">
      <label for="description">Description</label>
      <input id="description" name="description" type="text" value="{{DESCRIPTION}}" aria-describedby="description-help{{#DESCRIPTION_ERROR}} description-error{{/DESCRIPTION_ERROR}}"{{#DESCRIPTION_ERROR}} aria-invalid="true"{{/DESCRIPTION_ERROR}}>
      <p class="fine" id="description-help">One line, up to 150 characters.</p>
      {{#DESCRIPTION_ERROR}}<p class="field-error" id="description-error">{{MESSAGE}}</p>{{/DESCRIPTION_ERROR}}
    </div>
    <button type="submit" class="button button-primary">Save</button>
  </form>
  <h2>History</h2>
  {{#NO_HISTORY}}<p class="empty">No changes yet.</p>{{/NO_HISTORY}}
  <ul class="history">
    {{#HISTORY}}<li>{{LINE}}</li>{{/HISTORY}}
  </ul>
</section>
