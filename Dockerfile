# One image for every role: api, worker, scheduler, client (and the sandbox for local demos).
# docker compose picks the role through the command.
FROM node:20.20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY client/package.json client/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20.20-bookworm-slim
# Secure by default: every role refuses to boot without real production settings (see .env.example).
# The sandbox runs only when ENVIRONMENT=development is set explicitly for it (compose profile "sandbox").
ENV NODE_ENV=production ENVIRONMENT=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY client/package.json client/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist dist
COPY --from=build /app/client/dist client/dist
# `npm run tokens:sweep|tokens:reencrypt|users:make-admin|migrate` run dist/src/cli/*.js with plain
# node through scripts/run-cli.js (no src/, no ts-node here)
COPY --from=build /app/scripts/run-cli.js /app/scripts/dev-env.js scripts/
USER node
EXPOSE 8000 3002
CMD ["node", "dist/src/roles/api.js"]
