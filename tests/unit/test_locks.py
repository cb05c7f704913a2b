import asyncio

from services.kernel.locks import KeyedLock


async def test_same_key_runs_in_arrival_order_and_cleans_up():
    locks = KeyedLock()
    order: list[int] = []
    gate = asyncio.Event()

    async def work(n: int) -> None:
        async with locks.hold("u1"):
            if n == 0:
                await gate.wait()  # the first holder blocks; the rest queue behind it
            order.append(n)

    tasks = [asyncio.create_task(work(n)) for n in range(5)]
    await asyncio.sleep(0)  # let every task reach the lock (a scheduling point, not a timing guess)
    assert len(locks) == 1
    gate.set()
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2, 3, 4]
    assert len(locks) == 0


async def test_different_keys_do_not_block_each_other():
    locks = KeyedLock()
    async with locks.hold("a"):
        async with locks.hold("b"):
            assert len(locks) == 2
