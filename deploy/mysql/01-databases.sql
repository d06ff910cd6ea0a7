-- Runs once, when the MySQL data volume is empty. The entrypoint has already created the user tern
-- (MYSQL_USER / MYSQL_PASSWORD) and the database tern_item (MYSQL_DATABASE); the services create their
-- tables themselves (gorm migrations) when they start.
CREATE DATABASE IF NOT EXISTS tern_item CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
CREATE DATABASE IF NOT EXISTS tern_stock CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
CREATE DATABASE IF NOT EXISTS tern_cart CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
GRANT ALL PRIVILEGES ON tern_item.* TO 'tern'@'%';
GRANT ALL PRIVILEGES ON tern_stock.* TO 'tern'@'%';
GRANT ALL PRIVILEGES ON tern_cart.* TO 'tern'@'%';
FLUSH PRIVILEGES;
