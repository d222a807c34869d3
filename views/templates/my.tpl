{{%AUTOESCAPE context="HTML"}}
{{! GET /my  -  who is signed in: DISPLAY_NAME, USER_NAME (Launchpad), }}
{{! EMAIL, CLAIMED_ID; CSRF_TOKEN for the sign-out form.  Then one DOMAIN }}
{{! per enabled domain: NAME and either NOTE with STATE (no address: why, }}
{{! COC when the Code of Conduct is the reason, and a CHECKLIST row: SUMMARY, CHECK }}
{{! rows (STATE, MARK, STATE_WORDS, TEXT, LINK with URL and LINK_TEXT) and }}
{{! NEXT_CHECK) or ALIAS rows (ID, ADDRESS, }}
{{! RECIPIENTS, STATE; DISABLED with REPLY; COC; WAITING with PENDING, the }}
{{! change waiting for confirmations).  UNREACHABLE: a sync is due. }}
{{! ADMINISTERS (section) with ADMIN_DOMAIN rows (NAME): the domains this }}
{{! user administers.  EMAIL_STUCK (OLD_EMAIL): addresses that could not }}
{{! follow a new Ubuntu One address; NEEDS_SMTPUTF8: mail cannot reach EMAIL. }}
<section class="panel">
  <p class="eyebrow">Your account</p>
  <h1>Hello, {{DISPLAY_NAME}}</h1>
  <dl class="facts">
    <dt>Launchpad name</dt>
    <dd><a href="https://launchpad.net/~{{USER_NAME}}">~{{USER_NAME}}</a></dd>
    <dt>Email address</dt>
    <dd>{{EMAIL}}</dd>
    <dt>Ubuntu One identity</dt>
    <dd class="mono">{{CLAIMED_ID}}</dd>
  </dl>
  {{#EMAIL_STUCK}}<p class="notice" role="alert">Your Ubuntu One address is now {{EMAIL}}, but your community addresses cannot forward to it (it is not an address mail can be forwarded to, or it is one of those addresses), so each of them that forwarded to your old address still forwards to {{OLD_EMAIL}}. Open each address below to choose where it forwards, or change your Ubuntu One address and sign in again.</p>{{/EMAIL_STUCK}}
  {{#NEEDS_SMTPUTF8}}<p class="notice" role="alert">We cannot send you mail at {{EMAIL}}: its part before the @ is not plain ASCII, which needs SMTPUTF8, and our mail relay does not offer it. Use an address with a plain ASCII local part in your Ubuntu One account and sign in again; until then you get no notifications from us.</p>{{/NEEDS_SMTPUTF8}}
  <p><a href="/my/tokens">API tokens</a>: let a program use the membermail API as you.</p>
  <form method="post" action="/auth/logout">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <button type="submit" class="button button-secondary">Sign out</button>
  </form>
</section>
<section class="panel">
  <h2>Your community addresses</h2>
  {{#UNREACHABLE}}<p class="notice" role="status">Launchpad is unreachable; we will retry.</p>{{/UNREACHABLE}}
  {{#NO_DOMAINS}}<p class="empty">No community domain is active yet.</p>{{/NO_DOMAINS}}
  {{#DOMAIN}}
  <div class="domain">
    <h3>@{{NAME}}</h3>
    {{#NOTE}}<p class="state">{{STATE}}{{#COC}} (<a href="https://launchpad.net/codeofconduct">sign the Code of Conduct</a>){{/COC}}</p>{{/NOTE}}
    {{#CHECKLIST}}
    <details class="checklist-box">
      <summary>{{SUMMARY}}</summary>
      <ul class="checklist">
        {{#CHECK}}<li class="check check-{{STATE}}"><span class="check-mark" aria-hidden="true">{{MARK}}</span> <span class="visually-hidden">{{STATE_WORDS}}: </span>{{TEXT}}{{#LINK}} <a href="{{URL}}">{{LINK_TEXT}}</a>{{/LINK}}</li>
        {{/CHECK}}
      </ul>
      <p class="fine">{{NEXT_CHECK}}</p>
    </details>
    {{/CHECKLIST}}
    {{#ALIAS}}
    <div class="alias">
      <p class="state">{{STATE}}{{#COC}} (<a href="https://launchpad.net/codeofconduct">sign the Code of Conduct</a>){{/COC}}</p>
      {{#DISABLED}}<p class="fine">Recipients: {{RECIPIENTS}}. While disabled, reply {{REPLY}}.</p>{{/DISABLED}}
      {{#WAITING}}<p class="pending"><span class="badge">waiting for confirmation</span> Forwarding to {{PENDING}} starts once the new addresses agree.</p>{{/WAITING}}
      <p><a href="/my/aliases/{{ID}}">Manage {{ADDRESS}}</a></p>
    </div>
    {{/ALIAS}}
  </div>
  {{/DOMAIN}}
</section>
{{#ADMINISTERS}}
<section class="panel">
  <h2>Domains you administer</h2>
  <ul class="admin-domains">
{{#ADMIN_DOMAIN}}
    <li><a href="/domains/{{NAME}}">{{NAME}}</a></li>
{{/ADMIN_DOMAIN}}
  </ul>
</section>
{{/ADMINISTERS}}
