// Progressive enhancement only: every page works without this file.
(function () {
  // A JSON editor says at once when its text is not JSON (the server checks again).
  document.querySelectorAll('textarea[data-json]').forEach(function (area) {
    function check() {
      try { if (area.value.trim()) JSON.parse(area.value); area.classList.remove('invalid'); area.setCustomValidity(''); }
      catch (e) { area.classList.add('invalid'); area.setCustomValidity('Not JSON: ' + e.message); }
    }
    area.addEventListener('input', check);
  });
  // A running execution's page refreshes its live part until the execution ends.
  var live = document.getElementById('live');
  if (live && live.dataset.refresh) {
    var timer = setInterval(function () {
      fetch(location.href, { headers: { 'Accept': 'text/html' } }).then(function (r) { return r.text(); }).then(function (text) {
        var next = new DOMParser().parseFromString(text, 'text/html').getElementById('live');
        if (!next) return;
        live.innerHTML = next.innerHTML;
        if (!next.dataset.refresh) { clearInterval(timer); delete live.dataset.refresh; document.body.setAttribute('data-ended', 'true'); }
      }).catch(function () {});
    }, Number(live.dataset.refresh));
  }
  document.body.setAttribute('data-console-ready', 'true');
})();
