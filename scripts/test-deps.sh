#!/usr/bin/env bash
# Installs (when missing) and starts the servers the storage tests run against, on loopback only:
# MariaDB on 127.0.0.1:3306 with a user tern/tern that may create and drop the tern_test_* databases,
# and Redis on 127.0.0.1:6379. Debian/Ubuntu, as root; safe to run again. Prints the variables the tests
# read (their defaults are these same servers).
# Usage: scripts/test-deps.sh
set -euo pipefail

need=()
command -v mariadbd >/dev/null 2>&1 || command -v mysqld >/dev/null 2>&1 || need+=(mariadb-server)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
	echo "==> installing ${need[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! mysqladmin --silent ping >/dev/null 2>&1; then
	echo "==> starting MariaDB"
	mkdir -p /etc/mysql/mariadb.conf.d
	printf '[mysqld]\nbind-address = 127.0.0.1\n' >/etc/mysql/mariadb.conf.d/99-tern-loopback.cnf
	/etc/init.d/mariadb start >/dev/null
fi
mysql -uroot <<'SQL'
CREATE USER IF NOT EXISTS 'tern'@'127.0.0.1' IDENTIFIED BY 'tern';
CREATE USER IF NOT EXISTS 'tern'@'localhost' IDENTIFIED BY 'tern';
GRANT ALL PRIVILEGES ON `tern\_%`.* TO 'tern'@'127.0.0.1';
GRANT ALL PRIVILEGES ON `tern\_%`.* TO 'tern'@'localhost';
SQL

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
	echo "==> starting Redis"
	redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes >/dev/null
	for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

echo "TERN_TEST_MYSQL_DSN=${TERN_TEST_MYSQL_DSN:-tern:tern@tcp(127.0.0.1:3306)/}"
echo "TERN_TEST_REDIS_ADDR=${TERN_TEST_REDIS_ADDR:-127.0.0.1:6379}"
