// @activemq-ha/policy is private and bundled into core and client by tsup: a published
// package.json must not name it, not even as a devDependency (it is never on the registry).
const BUNDLED_PRIVATE = ['@activemq-ha/policy'];

module.exports = {
  hooks: {
    beforePacking(pkg) {
      if (pkg.devDependencies) {
        for (const name of BUNDLED_PRIVATE) delete pkg.devDependencies[name];
      }
      return pkg;
    },
  },
};
