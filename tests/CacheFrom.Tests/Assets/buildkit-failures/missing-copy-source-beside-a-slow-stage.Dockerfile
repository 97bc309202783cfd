FROM cachefrom/busybox:1.35.0 AS slow
RUN sleep 3 && echo slow > /slow

FROM cachefrom/busybox:1.35.0 AS broken
RUN sleep 1
COPY missing.txt /m

FROM slow AS dependant
COPY --from=broken /etc/hostname /h
RUN echo dependant

FROM cachefrom/busybox:1.35.0
COPY --from=dependant /h /h
RUN echo final
