# Production image: gunicorn for the web, the same image for the Celery worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY static/scss static/scss
RUN npm run build:css

FROM python:3.13-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SAFEGUARD_VAR_DIR=/app/var \
    DJANGO_STATIC_ROOT=/app/staticfiles
WORKDIR /app
# The Debian packages `make run` needs (scripts/system-packages.txt: pango, harfbuzz, fonts),
# and pg_dump for `manage.py backup`.
COPY scripts/system-packages scripts/system-packages.txt /tmp/system/
RUN /tmp/system/system-packages run image && rm -rf /var/lib/apt/lists/* /tmp/system
RUN useradd --system --create-home --uid 10001 safeguard
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY --from=assets /app/node_modules/govuk-frontend/dist /app/node_modules/govuk-frontend/dist
COPY --from=assets /app/node_modules/@ministryofjustice/frontend/moj /app/node_modules/@ministryofjustice/frontend/moj
COPY . .
COPY --from=assets /app/static/build /app/static/build
# collectstatic needs settings, not secrets: a throwaway key for this one command.
# docker-compose mounts a new named volume at /app/var/private; Docker fills it from the
# image's directory, owner and mode included, so it must exist here, the app user's, private.
RUN DJANGO_SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --no-input \
    && mkdir -p /app/var/private && chown -R safeguard /app/var && chmod 700 /app/var/private
USER safeguard
EXPOSE 8000
CMD ["gunicorn", "safeguard.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
