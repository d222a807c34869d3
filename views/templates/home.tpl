{{%AUTOESCAPE context="HTML"}}
{{! GET /  -  Q: the search text (may be empty); }}
{{! DOMAIN (section, one per community): SLUG, NAME, DOMAIN, TEAM; }}
{{! NO_MATCH (section): shown when Q matches no community. }}
<section class="hero">
  <div class="hero-text">
    <h1>[[An email address for your community]]</h1>
    <p class="lead">[[Members of Ubuntu community teams get a <strong>name@domain</strong> address that forwards to the mailbox they already use.]]</p>
    <ul class="points">
      <li>[[<strong>Yours to manage.</strong> Choose where your mail goes and change it whenever you like.]]</li>
      <li>[[<strong>In step with Launchpad.</strong> Your address works for as long as you are a member of the team.]]</li>
    </ul>
  </div>
  <div class="hero-art" aria-hidden="true">
    <p class="addr addr-from">jane@ubuntu.com</p>
    <p class="addr-via">[[forwards to]]</p>
    <p class="addr addr-to">jane.doe@example.org</p>
  </div>
</section>

<section class="communities" aria-labelledby="communities-heading">
  <h2 id="communities-heading">[[Find your community]]</h2>
  <form class="search" method="get" action="/" role="search">
    <label for="q">[[Community name or domain]]</label>
    <div class="search-row">
      <input type="search" id="q" name="q" value="{{Q}}" maxlength="64" autocomplete="off" placeholder="[[e.g. ubuntu]]">
      <button type="submit" class="button button-secondary">[[Search]]</button>
    </div>
  </form>
{{#NO_MATCH}}
  <p class="empty" role="status">[[No community matches “{{Q}}”.]]</p>
{{/NO_MATCH}}
  <ul class="cards">
{{#DOMAIN}}
    <li class="card">
      <a class="card-link" href="/{{SLUG}}">
        <span class="card-title">{{NAME}}</span>
        <span class="card-domain">@{{DOMAIN}}</span>
        <span class="card-team">[[Launchpad team {{TEAM}}]]</span>
      </a>
    </li>
{{/DOMAIN}}
  </ul>
</section>
