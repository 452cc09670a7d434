// Tag picker (todo_app/ui/components/tag_picker.py): appends the clicked tag to
// the edit form's comma-separated "tags" box, in the browser: the box is an
// uncontrolled input, saved with the form.
document.addEventListener('click', function (e) {
  var chip = e.target && e.target.closest && e.target.closest('[data-add-tag]');
  if (!chip) return;
  var form = chip.closest('form'), box = form && form.querySelector('input[name=tags]');
  if (!box) return;
  var tag = chip.getAttribute('data-add-tag');
  var names = box.value.split(',').map(function (s) { return s.trim(); }).filter(Boolean);
  if (names.indexOf(tag) < 0) names.push(tag);
  box.value = names.join(', ');
});
