FROM cachefrom/busybox:1.35.0 AS slow
RUN sleep 4 && echo slow > /slow

FROM cachefrom/busybox:1.35.0 AS broken
RUN sleep 1 && echo about to fail && exit 3

FROM cachefrom/busybox:1.35.0 AS dependant
COPY --from=broken /etc/hostname /h
RUN echo dependant

FROM cachefrom/busybox:1.35.0
COPY --from=slow /slow /slow
COPY --from=dependant /h /h
RUN echo final
