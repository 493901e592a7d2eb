// The quiz island: turns the static quiz markup rendered by Quiz.astro into an interactive
// quiz. No framework; minified and inlined into quiz pages only (see Quiz.astro). Without it,
// the page still shows every question with its answer in a <details> element.
class M9Quiz extends HTMLElement {
  connectedCallback() {
    this.key = 'm9-quiz:' + this.dataset.quizId;
    this.qs = [...this.querySelectorAll('.m9-q')];
    this.bar = this.querySelector('.m9-quiz-bar');
    this.status = this.querySelector('.m9-quiz-score');
    this.timer = this.querySelector('.m9-quiz-timer');
    this.results = this.querySelector('.m9-quiz-results');
    this.bar.hidden = false;
    this.buttons('check').forEach((b) => (b.hidden = false));
    this.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-action]');
      if (button) this[button.dataset.action](button.closest('.m9-q'));
    });
    this.addEventListener('change', () => this.save());
    this.load();
  }

  buttons(action) {
    return this.querySelectorAll(`button[data-action="${action}"]`);
  }

  picked(q) {
    return [...q.querySelectorAll('input:checked')].map((i) => i.value).join(',');
  }

  feedback(q, text) {
    q.querySelector('.m9-feedback').textContent = text;
  }

  check(q, restoring) {
    if (!this.picked(q)) return this.feedback(q, 'Choose an answer first.');
    const right = this.picked(q) === q.dataset.answer;
    q.dataset.result = right ? 'right' : 'wrong';
    if (this.inExam) return this.save();
    this.feedback(q, right ? 'Correct.' : 'Not quite: the explanation below says why.');
    q.querySelector('details').open = true;
    this.score();
    if (!restoring) this.save();
  }

  score() {
    const answered = this.qs.filter((q) => q.dataset.result);
    const right = answered.filter((q) => q.dataset.result === 'right').length;
    this.status.textContent = `Score: ${right} of ${this.qs.length} correct, ${answered.length} answered.`;
  }

  save() {
    const state = { answers: {}, checked: [] };
    for (const q of this.qs) {
      state.answers[q.dataset.qid] = this.picked(q);
      if (q.dataset.result) state.checked.push(q.dataset.qid);
    }
    try {
      if (!this.inExam) localStorage.setItem(this.key, JSON.stringify(state));
    } catch {
      // Storage can be full or disabled; the quiz still works for this visit.
    }
  }

  load() {
    let state;
    try {
      state = JSON.parse(localStorage.getItem(this.key) || 'null');
    } catch {
      state = null;
    }
    if (!state) return this.score();
    for (const q of this.qs) {
      const values = (state.answers[q.dataset.qid] || '').split(',');
      for (const input of q.querySelectorAll('input')) input.checked = values.includes(input.value);
      if (state.checked.includes(q.dataset.qid)) this.check(q, true);
    }
    this.score();
  }

  reset() {
    for (const q of this.qs) {
      for (const input of q.querySelectorAll('input')) input.checked = false;
      delete q.dataset.result;
      this.feedback(q, '');
      q.querySelector('details').open = false;
    }
    this.results.hidden = true;
  }

  retry() {
    this.stop();
    this.reset();
    try {
      localStorage.removeItem(this.key);
    } catch {
      // Nothing saved, nothing to remove.
    }
    this.score();
  }

  exam() {
    this.retry();
    this.inExam = true;
    this.setExamView(true);
    const seconds = Number(this.dataset.examSeconds);
    const end = Date.now() + seconds * 1000;
    const tick = () => {
      const left = Math.max(0, Math.round((end - Date.now()) / 1000));
      this.timer.textContent = `Time left: ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
      if (left === 0) this.finish();
    };
    this.interval = setInterval(tick, 1000);
    tick();
    this.status.textContent = `Exam started: ${Math.round(seconds / 60)} minutes. Answers and explanations are shown at the end.`;
  }

  setExamView(on) {
    for (const q of this.qs) q.querySelector('details').hidden = on;
    this.buttons('check').forEach((b) => (b.hidden = on));
    this.buttons('exam').forEach((b) => (b.hidden = on));
    this.buttons('finish').forEach((b) => (b.hidden = !on));
    this.timer.hidden = !on;
  }

  stop() {
    clearInterval(this.interval);
    this.inExam = false;
    this.setExamView(false);
  }

  finish() {
    this.stop();
    const topics = {};
    for (const q of this.qs) {
      const right = this.picked(q) === q.dataset.answer;
      q.dataset.result = right ? 'right' : 'wrong';
      this.feedback(q, right ? 'Correct.' : this.picked(q) ? 'Not quite.' : 'Not answered.');
      const t = (topics[q.dataset.topicLabel] ||= [0, 0]);
      t[0] += right;
      t[1] += 1;
    }
    this.score();
    const list = Object.entries(topics)
      .map(([topic, [right, total]]) => `<li>${topic}: ${right} of ${total}</li>`)
      .join('');
    this.results.innerHTML = `<p><strong>Exam result</strong></p><p>${this.status.textContent}</p><ul>${list}</ul><p>Open each question's explanation to review it.</p>`;
    this.results.hidden = false;
    this.results.focus();
    this.save();
  }
}

customElements.define('m9-quiz', M9Quiz);
