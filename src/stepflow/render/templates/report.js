// Clicking a state in the graph (a link to #flow_<id>) opens and highlights its data flow; loading
// the report with such a fragment does the same.
function showState(id){
  var section=document.getElementById(id);
  if(!section)return;
  document.querySelectorAll('details.state.selected').forEach(function(d){d.classList.remove('selected')});
  section.open=true;section.classList.add('selected');section.scrollIntoView({block:'start'});
}
window.addEventListener('hashchange',function(){showState(location.hash.slice(1))});
document.querySelectorAll('#graph a').forEach(function(a){
  a.addEventListener('click',function(){
    var href=a.getAttribute('href')||a.getAttribute('xlink:href');
    if(href&&href.charAt(0)==='#'){showState(href.slice(1))}
  });
});
if(location.hash)showState(location.hash.slice(1));
document.body.setAttribute('data-ready','true');
