#!/bin/sh
echo "hello from the CacheFrom sample: $(cat /app/greeting.txt)"
echo "dependencies: $(wc -l < /app/bundle.txt)"
