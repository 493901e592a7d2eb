export const kindSteps = [];
