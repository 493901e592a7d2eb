// The accepted forms of a diagnose answer that names a workload and a resource, e.g.
// "m9-s2-renderer memory". The learner may leave out the lab's name prefix, and may separate
// the two parts with a space, a comma, a colon or a slash; answerMatches() then ignores case,
// quotes and extra spaces (lib/diagnose.ts).

/** Every accepted spelling of "<name> <resource>" for each name and each resource word. */
export function causeAnswers(names: string[], resources: string[], prefix = ''): string[] {
  const forms = new Set<string>();
  for (const name of names) {
    const spellings = prefix && name.startsWith(prefix) ? [name, name.slice(prefix.length)] : [name];
    for (const spelled of spellings) {
      for (const resource of resources) {
        for (const separator of [' ', ', ', ': ', ' / ', '/']) forms.add(`${spelled}${separator}${resource}`);
      }
    }
  }
  return [...forms];
}
