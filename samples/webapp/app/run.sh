#!/bin/sh
echo "hello from the CacheFrom sample: $(cat /app/greeting.txt)"
cat /app/BUILD_INFO
