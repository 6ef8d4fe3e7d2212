// The host side of embed-example.html: listen to the simulators' events (they bubble out of the shadow roots).
const log = document.getElementById('event-log');
for (const name of ['scored', 'simulate']) {
  document.addEventListener(name, (e) => {
    const li = document.createElement('li');
    li.dataset.event = name;
    li.dataset.source = e.target.id;
    li.dataset.detail = JSON.stringify(e.detail);
    const d = e.detail;
    li.textContent = name === 'scored'
      ? `${e.target.id}: scored ${d.rows} users with ${d.learner} (Qini ${d.qini?.toFixed(4)}), ${d.counts.persuadable ?? 0} persuadables`
      : `${e.target.id}: ${Math.round(100 * d.share)}% targeted, spend ${d.spend}, ${d.incrementalConversions?.toFixed(1)} incremental conversions`;
    log.append(li);
  });
}
