// The report's only script (allowed by its hash in the page's Content-Security-Policy): filter boxes
// over the failing cases, the replay divergences and the WAR ROOM table. Without it, the page is whole.
(function () {
  'use strict';
  var inputs = document.querySelectorAll('input[data-filter]');
  Array.prototype.forEach.call(inputs, function (input) {
    var target = document.getElementById(input.getAttribute('data-filter'));
    var status = document.getElementById(input.getAttribute('data-filter') + '-status');
    if (!target) return;
    var items = target.querySelectorAll('[data-search]');
    input.addEventListener('input', function () {
      var q = input.value.trim().toLowerCase();
      var shown = 0;
      target.classList.toggle('filtering', q !== '');
      Array.prototype.forEach.call(items, function (el) {
        var hit = q === '' || el.getAttribute('data-search').indexOf(q) !== -1;
        el.hidden = !hit;
        if (hit) shown++;
      });
      if (status) status.textContent = q === '' ? '' : shown + ' of ' + items.length + ' shown';
    });
  });
  document.documentElement.setAttribute('data-script', 'ok');
})();
