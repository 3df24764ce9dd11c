// zebench: preloaded (NODE_OPTIONS=--require) into every Node process of a run's scoring commands
// (docs/integrity.md#result-channels). The assertion modules are frozen before any test or any code under test
// runs, so that code cannot replace `assert.strictEqual` with a function that passes everything: the assignment
// is ignored (or throws in strict mode) and the tests assert for real.
'use strict';
for (const name of ['node:assert', 'node:assert/strict']) {
  try {
    Object.freeze(require(name));
  } catch (error) {
    // an old Node without the module: nothing to freeze
  }
}
