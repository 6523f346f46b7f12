// Stands in for ssh2 in regsweep's bundles. dockerode's docker-modem loads ssh2 only for ssh:// engines,
// which regsweep refuses (DOCKER_HOST must be unix:// or tcp://); the real ssh2 brings native add-ons
// and code that does not run from an ES module bundle.
class Client {
  constructor() {
    throw new Error('ssh:// Docker engines are not supported by regsweep');
  }
}
module.exports = { Client };
