// The console's one page (served at /api/console/). See ../assets.ts for why the browser files are strings.
export const source = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Writeback Watch</title>
<link rel="stylesheet" href="/api/console/assets/console.css">
<script type="module" src="/api/console/assets/app.js"></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="top">
  <p class="brand">Writeback Watch</p>
  <nav aria-label="Console">
    <ul>
      <li><a href="#/scans" data-nav="scans">Scans</a></li>
      <li><a href="#/diff" data-nav="diff">Changes</a></li>
      <li><a href="#/alerts" data-nav="alerts">Alerts</a></li>
      <li><a href="#/approvals" data-nav="approvals">Approvals</a></li>
    </ul>
  </nav>
  <p id="who" class="who"></p>
</header>
<main id="main" tabindex="-1">
  <div id="view"><p>Loading the console…</p></div>
</main>
<div id="announcer" class="visually-hidden" role="status" aria-live="polite"></div>
<footer class="foot"><p>Verdicts are per Entra configuration (writebackConfiguration). <noscript>The console needs JavaScript.</noscript></p></footer>
</body>
</html>
`;
