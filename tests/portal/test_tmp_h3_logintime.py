import time
def test_t(portal_client, login):
    login(portal_client, "68031412135")
    t=time.perf_counter()
    for _ in range(10):
        login(portal_client, "68031412135")
    print("login avg ms", (time.perf_counter()-t)*100)
