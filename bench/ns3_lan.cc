// The ns-3 side of bench/scale.py: the same LAN that scale.py builds as a design document, in
// ns-3 (C++, its full IPv4/ARP/UDP stack, CSMA links, learning bridges). bench/scale.py compiles
// this file against the headers and libraries of PyPI's ns3 wheel and runs it.
//
// The LAN: `switches` bridges in a chain (switch i-1 -- switch i), `hosts` hosts on each switch, one
// CSMA link per cable (1 Gbps, 10 us). Hosts are numbered in order (host k hangs on switch k / hosts)
// and addressed from 10.0.0.1/16 in that order. Every host has a UDP sink on port 9 and sends a
// 100-byte datagram every `interval` seconds to one other host drawn at random once, starting at a
// random instant in [0, interval). The run lasts `seconds` simulated seconds.
//
// Prints one line of key=value figures; `wall` is the wall time of Simulator::Run alone (building
// the topology is not counted, as scale.py does not count building simcore's network), and
// `memory_per_host` the resident memory the process grew by while building, divided by hosts.
#include "ns3/applications-module.h"
#include "ns3/bridge-module.h"
#include "ns3/core-module.h"
#include "ns3/csma-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"

#include <chrono>
#include <cstdio>
#include <unistd.h>
#include <vector>

using namespace ns3;

namespace
{

// Resident memory of this process in bytes (Linux: the second field of /proc/self/statm, in pages).
double
ResidentBytes()
{
    long pages = 0;
    long resident = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r"))
    {
        if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2)
        {
            resident = 0;
        }
        std::fclose(f);
    }
    return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

struct Lan
{
    NodeContainer hosts;
    NodeContainer switches;
    NetDeviceContainer hostNics;                 // in host order, for address assignment
    std::vector<NetDeviceContainer> switchPorts; // per switch, bridged together
};

// One cable: a two-device CSMA segment between a and b; returns (a's device, b's device).
NetDeviceContainer
Cable(CsmaHelper& csma, Ptr<Node> a, Ptr<Node> b)
{
    return csma.Install(NodeContainer(a, b));
}

Lan
BuildLan(uint32_t nSwitches, uint32_t hostsPerSwitch)
{
    Lan lan;
    lan.hosts.Create(nSwitches * hostsPerSwitch);
    lan.switches.Create(nSwitches);
    lan.switchPorts.resize(nSwitches);

    CsmaHelper csma;
    csma.SetChannelAttribute("DataRate", StringValue("1Gbps"));
    csma.SetChannelAttribute("Delay", TimeValue(MicroSeconds(10)));

    for (uint32_t s = 0; s < nSwitches; ++s)
    {
        for (uint32_t h = 0; h < hostsPerSwitch; ++h)
        {
            NetDeviceContainer ends =
                Cable(csma, lan.hosts.Get(s * hostsPerSwitch + h), lan.switches.Get(s));
            lan.hostNics.Add(ends.Get(0));
            lan.switchPorts[s].Add(ends.Get(1));
        }
        if (s > 0)
        {
            NetDeviceContainer trunk = Cable(csma, lan.switches.Get(s - 1), lan.switches.Get(s));
            lan.switchPorts[s - 1].Add(trunk.Get(0));
            lan.switchPorts[s].Add(trunk.Get(1));
        }
    }
    BridgeHelper bridge;
    for (uint32_t s = 0; s < nSwitches; ++s)
    {
        bridge.Install(lan.switches.Get(s), lan.switchPorts[s]);
    }
    return lan;
}

} // namespace

int
main(int argc, char* argv[])
{
    uint32_t nSwitches = 10;
    uint32_t hostsPerSwitch = 100;
    double seconds = 60.0;
    double interval = 0.1;
    uint32_t seed = 1;
    CommandLine cmd(__FILE__);
    cmd.AddValue("S", "switches in the chain", nSwitches);
    cmd.AddValue("H", "hosts on each switch", hostsPerSwitch);
    cmd.AddValue("T", "simulated seconds", seconds);
    cmd.AddValue("I", "seconds between two datagrams of one host", interval);
    cmd.AddValue("seed", "ns-3 random seed", seed);
    cmd.Parse(argc, argv);
    RngSeedManager::SetSeed(seed);

    const double residentBefore = ResidentBytes();
    Lan lan = BuildLan(nSwitches, hostsPerSwitch);
    const uint32_t n = lan.hosts.GetN();
    if (n < 2)
    {
        std::fprintf(stderr, "need at least two hosts (S*H = %u)\n", n);
        return 2;
    }

    InternetStackHelper stack;
    stack.Install(lan.hosts); // the switches are bridges only: no IP on them
    Ipv4AddressHelper addresses("10.0.0.0", "255.255.0.0");
    Ipv4InterfaceContainer ifaces = addresses.Assign(lan.hostNics);

    const uint16_t port = 9;
    ApplicationContainer sinks;
    for (uint32_t k = 0; k < n; ++k)
    {
        sinks.Add(UdpServerHelper(port).Install(lan.hosts.Get(k)));
    }
    sinks.Start(Seconds(0));

    Ptr<UniformRandomVariable> random = CreateObject<UniformRandomVariable>();
    for (uint32_t k = 0; k < n; ++k)
    {
        // Any host but k: an offset in [1, n-1] from k.
        uint32_t peer = (k + 1 + random->GetInteger(0, n - 2)) % n;
        UdpClientHelper sender(ifaces.GetAddress(peer), port);
        // Enough datagrams for the whole run (the default stops after 100).
        sender.SetAttribute("MaxPackets", UintegerValue(static_cast<uint32_t>(seconds / interval) + 2));
        sender.SetAttribute("Interval", TimeValue(Seconds(interval)));
        sender.SetAttribute("PacketSize", UintegerValue(100));
        ApplicationContainer app = sender.Install(lan.hosts.Get(k));
        app.Start(Seconds(random->GetValue(0, interval)));
    }

    // Memory per host: resident growth while building hosts, switches, stacks and applications.
    const double perHost = (ResidentBytes() - residentBefore) / n;

    Simulator::Stop(Seconds(seconds));
    auto started = std::chrono::steady_clock::now();
    Simulator::Run();
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    uint64_t received = 0;
    for (uint32_t k = 0; k < n; ++k)
    {
        received += DynamicCast<UdpServer>(sinks.Get(k))->GetReceived();
    }
    uint64_t events = Simulator::GetEventCount();
    std::printf("ns-3 %s: switches=%u hosts=%u T=%gs I=%gs events=%llu wall=%.3fs "
                "(%.3f M ev/s) udp_received=%llu speed=%.2fx realtime memory_per_host=%.1fKB\n",
                "3.44", nSwitches, n, seconds, interval, static_cast<unsigned long long>(events),
                wall, events / wall / 1e6, static_cast<unsigned long long>(received),
                seconds / wall, perHost / 1024);
    Simulator::Destroy();
    return 0;
}
