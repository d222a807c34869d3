{{%AUTOESCAPE context="HTML"}}
{{! The one shared layout; the page comes in as the CONTENT include. }}
{{! TITLE, NOTICE (section) and NOTICE_TEXT: set on the root dictionary. }}
{{! SIGNED_IN (section) with USER_NAME and CSRF_TOKEN: the sign-out form. }}
{{! SITE_ADMIN (section): a link to /admin; ADMIN_PAGE (section): its menu. }}
{{! LANG, LANGUAGES and LANGUAGE rows: the bridge's (views/view.h); HERE: }}
{{! the path the language switch comes back to. }}
{{! No inline script or style anywhere: the CSP is default-src 'self'. }}
<!doctype html>
<html lang="{{LANG}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{{TITLE}} · membermail</title>
<link rel="stylesheet" href="/static/style.css">
<link rel="icon" href="/static/logo.svg" type="image/svg+xml">
</head>
<body>
<a class="skip-link" href="#main">[[Skip to main content]]</a>
<header class="site-header">
  <div class="wrap">
    <a class="brand" href="/"><img src="/static/logo.svg" alt="" width="32" height="32"><span>membermail</span></a>
{{#SIGNED_IN}}
    <nav class="account" aria-label="[[Account]]">
      <a href="/my">{{USER_NAME}}</a>
{{#SITE_ADMIN}}
      <a href="/admin">[[Admin]]</a>
{{/SITE_ADMIN}}
      <form method="post" action="/auth/logout">
        <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
        <button type="submit" class="link-button">[[Sign out]]</button>
      </form>
    </nav>
{{/SIGNED_IN}}
  </div>
</header>
<main id="main" class="wrap" tabindex="-1">
{{#ADMIN_PAGE}}
  <nav class="admin-nav" aria-label="[[Site admin]]">
    <a href="/admin">[[Overview]]</a>
    <a href="/admin/domains">[[Domains]]</a>
    <a href="/admin/users">[[Users]]</a>
    <a href="/admin/outbox">[[Failed messages]]</a>
    <a href="/admin/errors">[[Error log]]</a>
  </nav>
{{/ADMIN_PAGE}}
{{#NOTICE}}
  <p class="notice notice-success" role="status">{{NOTICE_TEXT}}</p>
{{/NOTICE}}
{{>CONTENT}}
</main>
<footer class="site-footer">
  <div class="wrap">
    <p>[[membermail gives members of Ubuntu community teams an address of their own, kept in step with Launchpad.]]</p>
{{#LANGUAGES}}
    <form class="language-switch" method="post" action="/language" aria-label="[[Language]]">
      <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
      <input type="hidden" name="next" value="{{HERE}}">
{{#LANGUAGE}}
      {{#LANG_CURRENT}}<strong lang="{{LANG_CODE}}" aria-current="true">{{LANG_NAME}}</strong>{{/LANG_CURRENT}}{{#LANG_OTHER}}<button type="submit" name="lang" value="{{LANG_CODE}}" lang="{{LANG_CODE}}" class="link-button">{{LANG_NAME}}</button>{{/LANG_OTHER}}
{{/LANGUAGE}}
    </form>
{{/LANGUAGES}}
  </div>
</footer>
</body>
</html>
