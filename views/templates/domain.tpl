{{%AUTOESCAPE context="HTML"}}
{{! The domain-admin pages, /domains/<domain>[/...]: one template so that }}
{{! they share their head.  DOMAIN; NAV_MEMBERS, NAV_ALIASES or NAV_LOG: }}
{{! the current tab; one of the PAGE_* sections: }}
{{! PAGE_DOMAIN   TEAM, TXT_NAME, TXT_VALUE, TXT_STATUS, TXT_WORDS, }}
{{!   TXT_GRACE or TXT_GRACE_OVER (TXT_GRACE_UNTIL), TXT_CHECKED_AT, }}
{{!   TXT_ATTEMPT (TXT_ATTEMPT_AT, TXT_ATTEMPT_RESULT, TXT_ATTEMPT_DETAIL, }}
{{!   TXT_TEMPFAIL), DOMAIN_DISABLED, }}
{{!   NMEMBERS, NADMINS, NALIASES, ALIAS_LIMIT, Q, MEMBER rows (}}
{{!   NAME, DISPLAY_NAME, EMAIL, ROLE, ALIAS rows: ADDRESS, STATE, REASON), }}
{{!   NO_MEMBERS, LANG_OPTION rows (OPTION_CODE, OPTION_NAME, }}
{{!   OPTION_SELECTED), LANG_ERROR with ERROR_TEXT }}
{{! PAGE_ALIASES  Q, ENABLED_ANY/_YES/_NO, REASON, ALIAS rows, NO_ALIASES }}
{{! PAGE_LOG      HISTORY rows (LINE: a sentence, times in UTC), }}
{{!   NO_EVENTS, ERROR rows (LAST_SEEN, FIRST_SEEN, COUNT, WHO, MESSAGE), }}
{{!   NO_ERRORS }}
{{! PAGE_MEMBER   NAME, DISPLAY_NAME, EMAIL, ROLE, JOINED_AT, IS_ADMIN or }}
{{!   IS_MEMBER, ALIAS rows, NO_ALIASES, CSRF_TOKEN; a refused form: }}
{{!   ROLE_ERROR, REMOVE_ERROR, TOGGLE_ERROR, LOCAL_PART_ERROR or }}
{{!   RECIPIENTS_ERROR with ERROR_TEXT, and LOCAL_PART, RECIPIENTS kept; }}
{{!   CAN_ASSIGN (a site admin: the assign_protected box) }}
{{! ALIAS rows: ID, ADDRESS, OWNER, RECIPIENTS, DESCRIPTION, STATE, REASON, }}
{{! IS_ENABLED or IS_DISABLED.  NEXT with NEXT_URL.  Rows see the page's }}
{{! DOMAIN and CSRF_TOKEN. }}
<p class="eyebrow">Domain admin</p>
<h1>{{DOMAIN}}</h1>
<nav class="tabs" aria-label="Pages of {{DOMAIN}}">
  <a href="/domains/{{DOMAIN}}"{{#NAV_MEMBERS}} aria-current="page"{{/NAV_MEMBERS}}>Members</a>
  <a href="/domains/{{DOMAIN}}/aliases"{{#NAV_ALIASES}} aria-current="page"{{/NAV_ALIASES}}>Aliases</a>
  <a href="/domains/{{DOMAIN}}/log"{{#NAV_LOG}} aria-current="page"{{/NAV_LOG}}>Log</a>
</nav>
{{#PAGE_DOMAIN}}
<section class="block" aria-labelledby="txt-heading">
  <h2 id="txt-heading">Verification</h2>
{{#DOMAIN_DISABLED}}
  <p class="empty">This domain is disabled: its addresses receive no mail.</p>
{{/DOMAIN_DISABLED}}
  <p>Publish this TXT record at the apex of {{TXT_NAME}}, and no other record starting the same way:</p>
  <p class="record mono" id="txt-record">{{TXT_NAME}}. IN TXT "{{TXT_VALUE}}"</p>
  <dl class="facts">
    <dt>Status</dt>
    <dd><span id="txt-status">{{TXT_STATUS}}</span>: <span id="txt-words">{{TXT_WORDS}}</span></dd>
{{#TXT_GRACE}}
    <dt>Grace period</dt>
    <dd id="txt-grace">The record is gone: mail for {{TXT_NAME}} is still accepted until {{TXT_GRACE_UNTIL}}, then refused. Publish the record again.</dd>
{{/TXT_GRACE}}
{{#TXT_GRACE_OVER}}
    <dt>Grace period</dt>
    <dd id="txt-grace">Over since {{TXT_GRACE_UNTIL}}: mail for {{TXT_NAME}} is refused until the record is published again.</dd>
{{/TXT_GRACE_OVER}}
    <dt>Last checked</dt>
    <dd>{{TXT_CHECKED_AT}}</dd>
{{#TXT_ATTEMPT}}
    <dt>Last attempt</dt>
    <dd id="txt-attempt">{{TXT_ATTEMPT_AT}}: {{TXT_ATTEMPT_RESULT}} ({{TXT_ATTEMPT_DETAIL}}){{#TXT_TEMPFAIL}}. No definitive answer: the status above stands.{{/TXT_TEMPFAIL}}</dd>
{{/TXT_ATTEMPT}}
    <dt>Launchpad team</dt>
    <dd><a href="https://launchpad.net/~{{TEAM}}">~{{TEAM}}</a></dd>
    <dt>Members</dt>
    <dd>{{NMEMBERS}}, of whom {{NADMINS}} admin(s); {{NALIASES}} aliases; at most {{ALIAS_LIMIT}} aliases per member (admins have no limit)</dd>
  </dl>
  <form method="post" action="/domains/{{DOMAIN}}/verify">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <button type="submit" class="button button-secondary" id="check-now">Check now</button>
  </form>
</section>
<section class="block" aria-labelledby="language-heading">
  <h2 id="language-heading">[[Language of e-mail]]</h2>
  <form method="post" action="/domains/{{DOMAIN}}/language">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <label for="default_lang">[[Default language]]</label>
    <div class="search-row">
      <select id="default_lang" name="default_lang" aria-describedby="default_lang-help{{#LANG_ERROR}} default_lang-error{{/LANG_ERROR}}"{{#LANG_ERROR}} aria-invalid="true"{{/LANG_ERROR}}>
{{#LANG_OPTION}}
        <option value="{{OPTION_CODE}}" lang="{{OPTION_CODE}}"{{#OPTION_SELECTED}} selected{{/OPTION_SELECTED}}>{{OPTION_NAME}}</option>
{{/LANG_OPTION}}
      </select>
      <button type="submit" class="button button-secondary" id="save-language">[[Save]]</button>
    </div>
{{#LANG_ERROR}}
    <p class="field-error" id="default_lang-error" role="alert">{{ERROR_TEXT}}</p>
{{/LANG_ERROR}}
    <p class="fine" id="default_lang-help">[[Mail about this domain to its admins and members is written in this language, unless they have chosen their own with the language switch.]]</p>
  </form>
</section>
<section class="block" aria-labelledby="members-heading">
  <h2 id="members-heading">Members</h2>
  <form class="search" method="get" action="/domains/{{DOMAIN}}" role="search">
    <label for="q">Launchpad name or email starts with</label>
    <div class="search-row">
      <input type="search" id="q" name="q" value="{{Q}}" maxlength="64" autocomplete="off">
      <button type="submit" class="button button-secondary">Search</button>
    </div>
  </form>
{{#NO_MEMBERS}}
  <p class="empty" role="status">No members to show.</p>
{{/NO_MEMBERS}}
  <table class="list" id="members">
    <thead><tr><th>Member</th><th>Email</th><th>Role</th><th>Aliases</th></tr></thead>
    <tbody>
{{#MEMBER}}
      <tr>
        <td><a class="member" href="/domains/{{DOMAIN}}/members/{{NAME}}">~{{NAME}}</a> <span class="muted">{{DISPLAY_NAME}}</span></td>
        <td>{{EMAIL}}</td>
        <td>{{ROLE}}</td>
        <td>{{#ALIAS}}<span class="alias mono">{{ADDRESS}} ({{STATE}}{{#IS_DISABLED}}: {{REASON}}{{/IS_DISABLED}})</span> {{/ALIAS}}</td>
      </tr>
{{/MEMBER}}
    </tbody>
  </table>
</section>
{{/PAGE_DOMAIN}}
{{#PAGE_ALIASES}}
<section class="block" aria-labelledby="aliases-heading">
  <h2 id="aliases-heading">Aliases</h2>
  <form class="search" method="get" action="/domains/{{DOMAIN}}/aliases" role="search">
    <div class="search-row">
      <label for="q">Address starts with</label>
      <input type="search" id="q" name="q" value="{{Q}}" maxlength="64" autocomplete="off">
      <label for="enabled">State</label>
      <select id="enabled" name="enabled">
        <option value=""{{#ENABLED_ANY}} selected{{/ENABLED_ANY}}>any</option>
        <option value="yes"{{#ENABLED_YES}} selected{{/ENABLED_YES}}>enabled</option>
        <option value="no"{{#ENABLED_NO}} selected{{/ENABLED_NO}}>disabled</option>
      </select>
      <label for="reason">Why disabled</label>
      <input type="text" id="reason" name="reason" value="{{REASON}}" maxlength="32" list="reasons">
      <datalist id="reasons">
        <option value="by-owner"><option value="by-admin"><option value="left-team">
        <option value="invalid-user"><option value="banned"><option value="matches-recipient">
      </datalist>
      <button type="submit" class="button button-secondary">Filter</button>
    </div>
  </form>
{{#NO_ALIASES}}
  <p class="empty" role="status">No aliases to show.</p>
{{/NO_ALIASES}}
  <table class="list" id="aliases">
    <thead><tr><th>Address</th><th>Owner</th><th>Forwards to</th><th>State</th></tr></thead>
    <tbody>
{{#ALIAS}}
      <tr>
        <td class="mono address">{{ADDRESS}}</td>
        <td><a href="/domains/{{DOMAIN}}/members/{{OWNER}}">~{{OWNER}}</a></td>
        <td class="mono">{{RECIPIENTS}}</td>
        <td class="state">{{STATE}}{{#IS_DISABLED}} ({{REASON}}){{/IS_DISABLED}}</td>
      </tr>
{{/ALIAS}}
    </tbody>
  </table>
</section>
{{/PAGE_ALIASES}}
{{#PAGE_LOG}}
<section class="block" aria-labelledby="audit-heading">
  <h2 id="audit-heading">Changes</h2>
{{#NO_EVENTS}}
  <p class="empty" role="status">No changes recorded yet.</p>
{{/NO_EVENTS}}
  <ul class="history" id="audit">
{{#HISTORY}}
    <li>{{LINE}}</li>
{{/HISTORY}}
  </ul>
</section>
<section class="block" aria-labelledby="errors-heading">
  <h2 id="errors-heading">Recent errors</h2>
{{#NO_ERRORS}}
  <p class="empty" role="status">No errors recorded.</p>
{{/NO_ERRORS}}
  <table class="list" id="errors">
    <thead><tr><th>Last seen (UTC)</th><th>First seen</th><th>Times</th><th>Member</th><th>Error</th></tr></thead>
    <tbody>
{{#ERROR}}
      <tr><td>{{LAST_SEEN}}</td><td>{{FIRST_SEEN}}</td><td>{{COUNT}}</td><td>{{WHO}}</td><td>{{MESSAGE}}</td></tr>
{{/ERROR}}
    </tbody>
  </table>
</section>
{{/PAGE_LOG}}
{{#PAGE_MEMBER}}
<section class="block" aria-labelledby="member-heading">
  <h2 id="member-heading">~{{NAME}}</h2>
  <dl class="facts">
    <dt>Name</dt>
    <dd>{{DISPLAY_NAME}} (<a href="https://launchpad.net/~{{NAME}}">~{{NAME}}</a>)</dd>
    <dt>Email</dt>
    <dd>{{EMAIL}}</dd>
    <dt>Role</dt>
    <dd id="role">{{ROLE}}</dd>
    <dt>Member since</dt>
    <dd>{{JOINED_AT}}</dd>
  </dl>
  <div class="actions">
    <form method="post" action="/domains/{{DOMAIN}}/members/{{NAME}}/role">
      <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
{{#IS_MEMBER}}
      <input type="hidden" name="role" value="admin">
      <button type="submit" class="button button-secondary">Make admin</button>
{{/IS_MEMBER}}
{{#IS_ADMIN}}
      <input type="hidden" name="role" value="member">
      <button type="submit" class="button button-secondary">Make plain member</button>
{{/IS_ADMIN}}
{{#ROLE_ERROR}}
      <p class="field-error" role="alert">{{ERROR_TEXT}}</p>
{{/ROLE_ERROR}}
    </form>
    <form method="post" action="/domains/{{DOMAIN}}/members/{{NAME}}/sync">
      <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
      <button type="submit" class="button button-secondary">Sync with Launchpad now</button>
    </form>
    <form method="post" action="/domains/{{DOMAIN}}/members/{{NAME}}/remove">
      <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
      <button type="submit" class="button button-secondary">Remove from {{DOMAIN}}</button>
      <p class="fine">Their aliases here are disabled; the next sync adds them back as a member if they are still in the team, with the aliases still disabled.</p>
{{#REMOVE_ERROR}}
      <p class="field-error" role="alert">{{ERROR_TEXT}}</p>
{{/REMOVE_ERROR}}
    </form>
  </div>
</section>
<section class="block" aria-labelledby="member-aliases-heading">
  <h2 id="member-aliases-heading">Aliases on {{DOMAIN}}</h2>
{{#TOGGLE_ERROR}}
  <p class="field-error" role="alert">{{ERROR_TEXT}}</p>
{{/TOGGLE_ERROR}}
{{#NO_ALIASES}}
  <p class="empty" role="status">No aliases.</p>
{{/NO_ALIASES}}
  <table class="list" id="aliases">
    <thead><tr><th>Address</th><th>Forwards to</th><th>State</th><th><span class="visually-hidden">Action</span></th></tr></thead>
    <tbody>
{{#ALIAS}}
      <tr>
        <td class="mono address">{{ADDRESS}}</td>
        <td class="mono">{{RECIPIENTS}}</td>
        <td class="state">{{STATE}}{{#IS_DISABLED}} ({{REASON}}){{/IS_DISABLED}}</td>
        <td>
          <div class="row-actions">
            <form method="post" action="/domains/{{DOMAIN}}/aliases/{{ID}}/enabled">
              <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
{{#IS_ENABLED}}
              <input type="hidden" name="enabled" value="no">
              <button type="submit" class="link-button">Disable<span class="visually-hidden"> {{ADDRESS}}</span></button>
{{/IS_ENABLED}}
{{#IS_DISABLED}}
              <input type="hidden" name="enabled" value="yes">
              <button type="submit" class="link-button">Enable<span class="visually-hidden"> {{ADDRESS}}</span></button>
{{/IS_DISABLED}}
            </form>
            <form method="post" action="/domains/{{DOMAIN}}/aliases/{{ID}}/remove">
              <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
              <button type="submit" class="link-button">Remove<span class="visually-hidden"> {{ADDRESS}}</span></button>
            </form>
          </div>
        </td>
      </tr>
{{/ALIAS}}
    </tbody>
  </table>
  <form class="add-alias" method="post" action="/domains/{{DOMAIN}}/members/{{NAME}}/aliases">
    <h3>Add an alias</h3>
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <div class="field">
      <label for="local_part">Address</label>
      <div class="search-row">
        <input type="text" id="local_part" name="local_part" value="{{LOCAL_PART}}" maxlength="64" required aria-describedby="local_part-help{{#LOCAL_PART_ERROR}} local_part-error{{/LOCAL_PART_ERROR}}"{{#LOCAL_PART_ERROR}} aria-invalid="true"{{/LOCAL_PART_ERROR}}><span class="mono">@{{DOMAIN}}</span>
      </div>
      <p class="fine" id="local_part-help">Letters, digits, '_', '+' or '-', with single dots between them. A member who is not an admin may hold at most the domain's alias limit.</p>
{{#LOCAL_PART_ERROR}}
      <p class="field-error" id="local_part-error">{{ERROR_TEXT}}</p>
{{/LOCAL_PART_ERROR}}
    </div>
    <div class="field">
      <label for="recipients">Forwards to</label>
      <input type="text" id="recipients" name="recipients" value="{{RECIPIENTS}}" maxlength="4096" aria-describedby="recipients-help{{#RECIPIENTS_ERROR}} recipients-error{{/RECIPIENTS_ERROR}}"{{#RECIPIENTS_ERROR}} aria-invalid="true"{{/RECIPIENTS_ERROR}}>
      <p class="fine" id="recipients-help">Addresses separated by commas or spaces; left blank, {{EMAIL}}.</p>
{{#RECIPIENTS_ERROR}}
      <p class="field-error" id="recipients-error">{{ERROR_TEXT}}</p>
{{/RECIPIENTS_ERROR}}
    </div>
{{#CAN_ASSIGN}}
    <label class="choice"><input type="checkbox" name="assign_protected" value="yes"> Assign a protected address: a name reserved for the domain's operators (postmaster@, abuse@, …) or another person's Launchpad name. Site admins only; the log says so.</label>
{{/CAN_ASSIGN}}
    <button type="submit" class="button button-primary">Add alias</button>
  </form>
</section>
{{/PAGE_MEMBER}}
{{#NEXT}}
<p><a class="button button-secondary" rel="next" href="{{NEXT_URL}}">Next page</a></p>
{{/NEXT}}
